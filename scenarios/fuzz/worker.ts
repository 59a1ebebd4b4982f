/**
 * A fuzz worker thread: runs its share of a sweep and reports progress and the result to the parent.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { sweep, type SweepPlan } from './sweep.ts';

const plan = workerData as SweepPlan;
const result = await sweep(plan, (cases) => parentPort!.postMessage({ type: 'progress', cases }));
parentPort!.postMessage({ type: 'done', result });
