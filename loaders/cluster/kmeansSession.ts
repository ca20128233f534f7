/**
 * Runs k-means kernel operations over all blocks of a matrix, on the main thread and, for large
 * data, on worker threads too. The API stays synchronous: the main thread claims blocks like
 * any worker and then blocks in Atomics.wait until the blocks that workers claimed are done.
 * The main thread never waits for a worker that has not claimed anything, so a worker that is
 * still starting (or failed to start) only costs speed, never correctness or a deadlock.
 * Workers load kmeansWorker.ts through tsx's CommonJS hook (threads.ts).
 */
import { availableParallelism } from "node:os";
import type { Worker } from "node:worker_threads";
import { startTsWorker } from "../threads.ts";
import type { FeatureMatrix } from "../matrix.ts";
import {
  BUFFER_NAMES,
  CTRL,
  OP,
  align,
  blockRowsFor,
  bufferBytes,
  kernelViews,
  runBlock,
  scratchLayout,
  statWidthFor,
  type BufferName,
  type KernelBuffers,
  type KernelShape,
  type KernelState,
  type Region
} from "./kmeansKernel.ts";
import { bindWasm, releaseWasmMemory, wasmInstance, wasmMemory, wasmModule } from "./kmeansWasm.ts";

/**
 * The row-sized buffers besides the data: kept between sessions (see pooled) and overwritten
 * before they are read. The other small ones are new, zeroed, in every session.
 */
const ROW_SIZED: readonly BufferName[] = ["labels", "upper", "lower", "closest"];

/** Below this many row × centre × feature products per pass, threads cost more than they save. */
export const THREAD_THRESHOLD = 4_000_000;
/** "auto" uses at most this many threads: the passes are partly memory-bound. */
const MAX_AUTO_THREADS = 4;
/** A worker that holds a claimed block this long without finishing it is taken to be dead. */
const STALL_MS = 120_000;

/**
 * How many threads (main included) to use: a number forces it (1 = main thread only);
 * "auto" uses every core for large data and the main thread alone for small data.
 */
export type Threads = number | "auto";

let defaultThreads: Threads = "auto";

/** Sets the thread policy used when a call does not name one (tests and benchmarks). */
export function setKmeansThreads(threads: Threads): void {
  defaultThreads = threads;
}

// ---------------------------------------------------------------------------------------------
// Worker pool: started on first use, unref'd so it never keeps the process alive.

interface PoolWorker {
  worker: Worker;
  ready: Promise<boolean>;
  alive: boolean;
}

const pool: PoolWorker[] = [];

let poolBroken = false;

function spawn(): PoolWorker | undefined {
  try {
    const worker = startTsWorker(new URL("./kmeansWorker.ts", import.meta.url));
    const entry: PoolWorker = { worker, alive: true, ready: Promise.resolve(false) };
    entry.ready = new Promise<boolean>((resolve) => {
      worker.once("message", (m) => resolve(m === "ready"));
      const dead = () => {
        entry.alive = false;
        resolve(false);
      };
      worker.once("error", dead);
      worker.once("exit", dead);
    });
    return entry;
  } catch {
    // No tsx or no worker support: stay on the main thread (results are the same).
    poolBroken = true;
    return undefined;
  }
}

function workersFor(threads: number): PoolWorker[] {
  const wanted = Math.max(0, threads - 1);
  while (pool.length < wanted && !poolBroken) {
    const w = spawn();
    if (w) pool.push(w);
  }
  return pool.filter((w) => w.alive).slice(0, wanted);
}

function resolveThreads(threads: Threads | undefined, work: number, nBlocks: number): number {
  const t = threads ?? defaultThreads;
  if (t === "auto") {
    if (work < THREAD_THRESHOLD || nBlocks < 2) return 1;
    return Math.max(1, Math.min(availableParallelism(), MAX_AUTO_THREADS, nBlocks));
  }
  return Math.max(1, Math.floor(t));
}

/**
 * Starts the workers a call with `threads` would use and resolves with how many are ready.
 * Optional: calls start workers themselves, but the first call then runs mostly on the main
 * thread while they load (about 0.3 s). Benchmarks await this first.
 */
export async function startKmeansWorkers(threads: number = Math.min(availableParallelism(), MAX_AUTO_THREADS)): Promise<number> {
  const ws = workersFor(threads);
  const ready = await Promise.all(ws.map((w) => w.ready));
  return ready.filter(Boolean).length;
}

/**
 * Starts, without waiting, the workers a k-means fit (k ≥ 2) over n rows × d features would use.
 * Called before a long step on one thread (preparing the data), they are ready when the fit
 * starts instead of loading during it.
 */
export function warmKmeansWorkers(n: number, d: number): void {
  const threads = resolveThreads(undefined, n * d * 2, Math.ceil(n / blockRowsFor(n)));
  if (threads > 1) workersFor(threads);
}

// ---------------------------------------------------------------------------------------------
// Row-sized buffers are kept between calls: fresh memory costs a page fault per 4 KiB on first
// touch (about 30 ms for 64 MB), more than many whole k-means runs. Only one session runs at a
// time and results are copied out, so reuse is safe. The small per-session buffers (control
// words included) are always new, so a worker still catching up on an old session finds that
// session ended and never touches the new one.

let workerBlocksTotal = 0;

/** Blocks run by worker threads in this process so far (tests check the worker path ran). */
export function kmeansWorkerBlocks(): number {
  return workerBlocksTotal;
}

const bufferPool = new Map<string, ArrayBufferLike>();

function pooled(role: string, bytes: number, shared: boolean): ArrayBufferLike {
  const key = `${role}:${shared ? "shared" : "local"}`;
  const have = bufferPool.get(key);
  if (have && have.byteLength >= bytes) return have;
  const made = shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
  bufferPool.set(key, made);
  return made;
}

/** Drops the buffers kept between calls (they are otherwise held until the process ends). */
export function releaseKmeansBuffers(): void {
  bufferPool.clear();
  releaseWasmMemory();
}

// ---------------------------------------------------------------------------------------------
// Sessions

/** All buffers of one k-means job over one matrix, plus the means to run operations on them. */
export class KmeansSession {
  readonly state: KernelState;
  readonly threads: number;
  /** Blocks run by workers so far (to check in tests that the worker path was taken). */
  workerBlocks = 0;
  private readonly workers: PoolWorker[];
  private generation = 0;
  private closed = false;

  constructor(matrix: FeatureMatrix, k: number, threads?: Threads) {
    const { n, d } = matrix;
    const blockRows = blockRowsFor(n);
    const nBlocks = Math.ceil(n / blockRows);
    const statWidth = statWidthFor(d, k);
    const shape: KernelShape = { n, d, k, blockRows, nBlocks, statWidth };
    this.threads = resolveThreads(threads, n * k * d, nBlocks);
    this.workers = this.threads > 1 ? workersFor(this.threads) : [];
    const shared = this.workers.length > 0;
    const alloc = (bytes: number): Region => ({ buffer: shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes), at: 0 });
    const bytes = bufferBytes(shape);
    // The control words are always new and never in WebAssembly memory: a worker still catching
    // up on an old session finds that session ended.
    const ctrl = alloc(bytes.ctrl);
    // Generation 0 starts exhausted, so a worker that joins before the first run claims nothing.
    new Int32Array(ctrl.buffer)[CTRL.claim] = nBlocks;
    const wasm = this.wasmLayout(shape, bytes);
    if (wasm) {
      const { memory, at, scratch, scratchBytes } = wasm;
      const buffer = memory.buffer;
      const buffers = Object.fromEntries(BUFFER_NAMES.map((name) => [name, name === "ctrl" ? ctrl : { buffer, at: at[name] }])) as KernelBuffers;
      new Float64Array(buffer, at.x, n * d).set(matrix.data);
      this.state = kernelViews(shape, buffers, { buffer, at: scratch });
      this.state.wasm = bindWasm(wasmInstance(memory), shape, at, scratch);
      const module = wasmModule();
      this.workers.forEach((w, i) => {
        const own = scratch + (i + 1) * scratchBytes;
        w.worker.postMessage({ type: "session", shape, buffers, wasm: { module, memory, at, scratch: own } });
      });
    } else {
      const data = matrix.data;
      let x: ArrayBufferLike;
      if (shared && !(data.buffer instanceof SharedArrayBuffer && data.byteOffset === 0)) {
        x = pooled("x", n * d * 8, true);
        new Float64Array(x, 0, n * d).set(data);
      } else {
        x = data.byteOffset === 0 ? data.buffer : data.slice().buffer;
      }
      const place = (name: BufferName): Region =>
        name === "x"
          ? { buffer: x, at: 0 }
          : name === "ctrl"
            ? ctrl
            : ROW_SIZED.includes(name)
              ? { buffer: pooled(name, bytes[name], shared), at: 0 }
              : alloc(bytes[name]);
      const buffers = Object.fromEntries(BUFFER_NAMES.map((name) => [name, place(name)])) as KernelBuffers;
      this.state = kernelViews(shape, buffers);
      for (const w of this.workers) w.worker.postMessage({ type: "session", shape, buffers });
    }
  }

  /**
   * Where the session's buffers go in the WebAssembly memory (every buffer but the control words,
   * then one scratch region per thread), or undefined when the WebAssembly kernels do not apply.
   */
  private wasmLayout(shape: KernelShape, bytes: Record<BufferName, number>) {
    const at = { ctrl: -1 } as Record<BufferName, number>;
    let total = 0;
    for (const name of BUFFER_NAMES) {
      if (name === "ctrl") continue;
      at[name] = total;
      total = align(total + bytes[name]);
    }
    const scratchBytes = scratchLayout(shape).bytes;
    const scratch = total;
    total += this.threads * scratchBytes;
    const memory = wasmMemory(shape.d, total);
    if (!memory) return undefined;
    // The small buffers start at zero, as new ones would (the data is copied in by the caller).
    const zero = new Uint8Array(memory.buffer);
    for (const name of BUFFER_NAMES) if (name !== "x" && name !== "ctrl" && !ROW_SIZED.includes(name)) zero.fill(0, at[name], at[name] + bytes[name]);
    return { memory, at, scratch, scratchBytes };
  }

  /** Runs `op` on every block; returns when all blocks are done. */
  run(op: number): void {
    if (this.closed) throw new Error("k-means session used after close");
    const s = this.state;
    const { nBlocks, ctrl } = s;
    if (this.workers.length === 0) {
      ctrl[CTRL.op] = op;
      for (let b = 0; b < nBlocks; b++) runBlock(s, op, b);
      return;
    }
    this.generation = (this.generation + 1) & 0x7fff;
    Atomics.store(ctrl, CTRL.op, op);
    Atomics.store(ctrl, CTRL.done, 0);
    Atomics.store(ctrl, CTRL.claim, this.generation << 16);
    Atomics.notify(ctrl, CTRL.claim);
    let mine = 0;
    for (;;) {
      const c = Atomics.load(ctrl, CTRL.claim);
      const b = c & 0xffff;
      if (b >= nBlocks) break;
      if (Atomics.compareExchange(ctrl, CTRL.claim, c, c + 1) !== c) continue;
      runBlock(s, op, b);
      mine++;
      Atomics.add(ctrl, CTRL.done, 1);
    }
    this.workerBlocks += nBlocks - mine;
    workerBlocksTotal += nBlocks - mine;
    let waited = 0;
    for (;;) {
      const done = Atomics.load(ctrl, CTRL.done);
      if (done >= nBlocks) break;
      if (Atomics.wait(ctrl, CTRL.done, done, 1000) === "timed-out") {
        waited += 1000;
        if (waited >= STALL_MS) throw new Error("k-means worker thread stopped responding");
      } else waited = 0;
    }
    if (Atomics.load(ctrl, CTRL.error) !== 0) throw new Error("k-means worker thread failed (see stderr)");
  }

  /** Tells the workers the session is over; they return to idle. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.workers.length === 0) return;
    const { ctrl, nBlocks } = this.state;
    this.generation = (this.generation + 1) & 0x7fff;
    Atomics.store(ctrl, CTRL.op, OP.end);
    Atomics.store(ctrl, CTRL.claim, (this.generation << 16) | nBlocks);
    Atomics.notify(ctrl, CTRL.claim);
  }
}

/** Opens a session, runs `body`, and always closes it. */
export function withSession<T>(matrix: FeatureMatrix, k: number, threads: Threads | undefined, body: (s: KmeansSession) => T): T {
  const session = new KmeansSession(matrix, k, threads);
  try {
    return body(session);
  } finally {
    session.close();
  }
}
