import { startApp } from './ui/app.ts';

void startApp(document);
