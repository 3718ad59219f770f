/// <reference lib="webworker" />
/**
 * The analysis service in a web worker, exposed through comlink. Frames should be sent with
 * `Comlink.transfer(frame, [frame.buffer])` so they move without copying and the render thread never blocks.
 */
import * as Comlink from 'comlink';
import { AnalysisService } from './analysis-service.ts';

Comlink.expose(new AnalysisService());
