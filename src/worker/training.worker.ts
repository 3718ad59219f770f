/// <reference lib="webworker" />
/** The training service in a web worker (comlink): fitting never blocks the page. */
import * as Comlink from 'comlink';
import { TrainingService } from './training-service.ts';

Comlink.expose(new TrainingService());
