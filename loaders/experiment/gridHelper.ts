/**
 * A second thread for a grid: the fits of its runs, the silhouettes of its samples and the refits
 * of its stability checks are independent jobs, each seeded on its own, so a helper thread
 * (gridHelperWorker.ts) can take some of them
 * while the main thread takes the rest, and the results are the same whichever thread ran a job.
 *
 * The API stays synchronous, as kmeansSession's: jobs are handed out by a counter in shared
 * memory, each to whichever thread asks first; the main thread then waits in Atomics.wait only for
 * the jobs the helper claimed. A helper still starting, or one that failed to start, claims
 * nothing, so it costs speed, never a result or a deadlock. Errors come out as one thread's would:
 * the first job's in grid order.
 */
import { availableParallelism } from "node:os";
import { MessageChannel, receiveMessageOnPort, type MessagePort, type Worker } from "node:worker_threads";
import { WorkbenchError, type ErrorWhere } from "../errors.ts";
import type { FeatureMatrix } from "../matrix.ts";
import { startTsWorker } from "../threads.ts";
import type { FitGroup } from "./runner.ts";
import type { AlgorithmName } from "../cluster/types.ts";
import type { SilhouettePick } from "../evaluate/silhouette.ts";

/** Grids on fewer rows run on one thread: starting the helper (about 0.3 s of CPU) would cost more than it saves. */
const MIN_ROWS = 1_000;
/**
 * Grids on more values (rows × features) run on one thread, keeping the memory of the largest
 * grids as it was (the helper holds a copy of the matrix and its own fits' buffers); k-means
 * passes on them use threads of their own (kmeansSession.ts).
 */
const MAX_VALUES = 8_000_000;
/**
 * A claimed job the helper has not finished after this long (or four times the longest job this
 * thread ran in the same list) is taken to be lost (the helper died) and run here: the same
 * result, so a wrong guess costs only time.
 */
const STALL_MS = 60_000;

let enabled = true;
let helped = 0;

/** Jobs the helper thread ran, in this process so far (tests check the path ran). */
export function gridHelperJobs(): number {
  return helped;
}

/** Turns the helper off (false) or back on; tests compare both. */
export function setGridHelper(on: boolean): void {
  enabled = on;
}

/** The jobs the helper can run, by kind, with what each job list holds. */
export interface HelperJobs {
  fit: { groups: FitGroup[]; seed: number };
  silhouette: { picks: readonly SilhouettePick[] };
  refit: { algorithm: AlgorithmName; params: Record<string, unknown>; base: FeatureMatrix; samples: Int32Array[]; seeds: number[] };
}

/** What the helper is given when it starts. */
export interface HelperStart {
  names: string[];
  n: number;
  d: number;
  /** The matrix's values, copied into shared memory. */
  data: Float64Array;
  port: MessagePort;
  /** Index 0 becomes 1 when the helper's module could not load (threads.ts). */
  failed: Int32Array;
}

/** A job list sent to the helper. */
export interface HelperBatch<K extends keyof HelperJobs = keyof HelperJobs> {
  batch: number;
  kind: K;
  payload: HelperJobs[K];
  /** claims[0]: next position to hand out; state[position]: DONE once the helper posted its outcome (or skipped it). */
  claims: Int32Array;
  state: Int32Array;
  /** Job index at each position. */
  order: number[];
  /** firstFailed[0]: the lowest job index known to fail (the job count while none has); later jobs are skipped. */
  firstFailed: Int32Array;
}

/** What the helper posts per job. */
export type HelperOutcome =
  | { batch: number; position: number; result: unknown }
  | { batch: number; position: number; error: { what: string; where: ErrorWhere } }
  | { batch: number; position: number; crash: string };

export const DONE = 1;

/** Lowers cell 0 of `cell` to `value` if that is lower, atomically (either thread may fail a job). */
export function lowerTo(cell: Int32Array, value: number): void {
  for (let now = Atomics.load(cell, 0); value < now; now = Atomics.load(cell, 0)) {
    if (Atomics.compareExchange(cell, 0, now, value) === now) return;
  }
}

type Outcome<R> = { result: R } | { error: unknown };

/** A grid's helper thread. */
export interface GridHelper {
  /**
   * runHere(i) for every job i, run here or by the helper (its handler for `kind` on `payload`),
   * results in job order. `pinned` jobs run here only; the others are handed out in `order`
   * (costly first balances the threads best). `started(i)` is told of each job as it is claimed.
   */
  share<K extends keyof HelperJobs, R>(
    kind: K,
    payload: HelperJobs[K],
    count: number,
    runHere: (i: number) => R,
    options?: { pinned?: (i: number) => boolean; order?: number[]; started?: (i: number) => void }
  ): R[];
  close(): void;
}

/** A helper for grids on this matrix when one is worth it (two cores or more, a mid-sized matrix), else null. */
export function startGridHelper(matrix: FeatureMatrix): GridHelper | null {
  if (!enabled || availableParallelism() < 2 || matrix.n < MIN_ROWS || matrix.n * matrix.d > MAX_VALUES) return null;
  const data = new Float64Array(new SharedArrayBuffer(matrix.data.byteLength));
  data.set(matrix.data);
  const failed = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  const start: HelperStart = { names: matrix.names, n: matrix.n, d: matrix.d, data, port: port2, failed };
  let worker: Worker;
  try {
    worker = startTsWorker(new URL("./gridHelperWorker.ts", import.meta.url), start, [port2]);
  } catch {
    return null;
  }
  let batches = 0;
  return {
    share(kind, payload, count, runHere, options = {}) {
      const { pinned = () => false, started = () => {} } = options;
      const order = (options.order ?? Array.from({ length: count }, (_, i) => i)).filter((i) => !pinned(i));
      const claims = new Int32Array(new SharedArrayBuffer(4));
      const state = new Int32Array(new SharedArrayBuffer(4 * Math.max(1, order.length)));
      const firstFailed = new Int32Array(new SharedArrayBuffer(4)).fill(count);
      const batch = ++batches;
      const outcomes: Array<Outcome<ReturnType<typeof runHere>> | undefined> = new Array(count);
      // Jobs after a failed one are not needed: one thread would have stopped at the failure.
      const needed = (i: number) => i <= Atomics.load(firstFailed, 0);
      let longest = 0;
      const attempt = (i: number) => {
        const began = Date.now();
        try {
          outcomes[i] = { result: runHere(i) };
        } catch (error) {
          outcomes[i] = { error };
          lowerTo(firstFailed, i);
        }
        longest = Math.max(longest, Date.now() - began);
      };
      if (Atomics.load(failed, 0) === 0) worker.postMessage({ batch, kind, payload, claims, state, order, firstFailed } satisfies HelperBatch);
      for (let i = 0; i < count; i++) {
        if (!pinned(i) || !needed(i)) continue;
        started(i);
        attempt(i);
      }
      // Claim positions until none is left; announce the helper's claims in position order too.
      let announced = 0;
      const mine = new Set<number>();
      for (let p; (p = Atomics.add(claims, 0, 1)) < order.length; ) {
        for (; announced < p; announced++) started(order[announced]);
        started(order[p]);
        announced = p + 1;
        mine.add(p);
        if (needed(order[p])) attempt(order[p]);
      }
      for (; announced < order.length; announced++) started(order[announced]);
      // The helper's jobs that are still needed: wait for each, then take its outcomes from the port.
      for (let p = 0; p < order.length; p++) {
        if (mine.has(p)) continue;
        const since = Date.now();
        const patience = Math.max(STALL_MS, 4 * longest);
        while (Atomics.load(state, p) !== DONE && needed(order[p]) && Date.now() - since < patience) Atomics.wait(state, p, Atomics.load(state, p), 1000);
        if (Atomics.load(state, p) !== DONE && needed(order[p])) attempt(order[p]);
      }
      for (let m; (m = receiveMessageOnPort(port1)); ) {
        const o = m.message as HelperOutcome;
        const i = o.batch === batch ? order[o.position] : -1;
        if (i < 0 || outcomes[i]) continue;
        if ("result" in o) outcomes[i] = { result: o.result as ReturnType<typeof runHere> };
        else if ("error" in o) outcomes[i] = { error: new WorkbenchError(o.error.what, o.error.where) };
        else if (needed(i)) attempt(i); // a fault of the helper's own: the job is run here, where it raises what it raises
        if (!("crash" in o)) helped++;
      }
      // In job order, as one thread: the first failure is raised, and every job before it is done.
      return Array.from({ length: count }, (_, i) => {
        if (!outcomes[i]) attempt(i);
        const o = outcomes[i]!;
        if ("error" in o) throw o.error;
        return o.result;
      });
    },
    close() {
      port1.close();
      void worker.terminate();
    }
  };
}
