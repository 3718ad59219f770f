// Entry of a loss-pool worker thread: loads the TypeScript sources the way bin/lilab.mjs does (loader hooks
// registered in the main thread do not reach worker threads in Node 20).
import { register as registerTsx } from 'tsx/esm/api';

registerTsx();
await import('./loss-worker.ts');
