/**
 * The helper thread of gridHelper.ts: for each job list the main thread sends, claims positions
 * until none is left, runs each job, posts its outcome, then marks it done and notifies (the main
 * thread may be waiting in Atomics.wait). k-means here runs on this thread alone: the main thread
 * is busy with the grid's other jobs.
 */
import { parentPort, workerData } from "node:worker_threads";
import { setKmeansThreads } from "../cluster/kmeansSession.ts";
import { WorkbenchError } from "../errors.ts";
import { pickValues } from "../evaluate/silhouette.ts";
import type { FeatureMatrix } from "../matrix.ts";
import { DONE, lowerTo, type HelperBatch, type HelperJobs, type HelperOutcome, type HelperStart } from "./gridHelper.ts";
import { fitGroup } from "./runner.ts";
import { refitResample } from "./runStability.ts";

const start = workerData.data as HelperStart;
const matrix: FeatureMatrix = { names: start.names, n: start.n, d: start.d, data: start.data };
setKmeansThreads(1);

const handlers: { [K in keyof HelperJobs]: (payload: HelperJobs[K], i: number) => unknown } = {
  fit: ({ groups, seed }, i) => fitGroup(matrix, groups[i], seed),
  silhouette: ({ picks }, i) => pickValues(matrix, picks[i]),
  refit: ({ algorithm, params, base, samples, seeds }, i) => refitResample({ algorithm, params }, base, samples[i], seeds[i])
};

function run<K extends keyof HelperJobs>(job: HelperBatch<K>): void {
  const handler = handlers[job.kind] as (payload: HelperJobs[K], i: number) => unknown;
  for (let p; (p = Atomics.add(job.claims, 0, 1)) < job.order.length; ) {
    const i = job.order[p];
    // A job after one that failed is not needed (the main thread will raise that failure).
    if (i > Atomics.load(job.firstFailed, 0)) {
      Atomics.store(job.state, p, DONE);
      Atomics.notify(job.state, p);
      continue;
    }
    let outcome: HelperOutcome;
    try {
      outcome = { batch: job.batch, position: p, result: handler(job.payload, i) };
    } catch (error) {
      if (error instanceof WorkbenchError) {
        lowerTo(job.firstFailed, i);
        outcome = { batch: job.batch, position: p, error: { what: error.what, where: error.where } };
      } else outcome = { batch: job.batch, position: p, crash: String((error as Error)?.stack ?? error) };
    }
    try {
      start.port.postMessage(outcome);
    } catch (error) {
      start.port.postMessage({ batch: job.batch, position: p, crash: String((error as Error)?.stack ?? error) });
    }
    Atomics.store(job.state, p, DONE);
    Atomics.notify(job.state, p);
  }
}

parentPort!.on("message", (job: HelperBatch) => run(job));
