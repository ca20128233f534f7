/**
 * The WebAssembly k-means kernels (kmeansKernels.generated.wasm, written by kmeansWasm.gen.ts):
 * loading the module, the shared memory a session's buffers live in, and the calls for one
 * block. A session whose data fits (WASM_MAX_PAGES, 2 GiB in all) and whose feature count has
 * kernels (1..12, as the unrolled TypeScript ones) uses them for its k-means++ rounds and Lloyd
 * steps; they give the same results bit for bit as the TypeScript kernels, which run everything
 * else on the same memory.
 *
 * Imports only kernel modules and node:fs: the worker loads it through tsx's CommonJS hook.
 */
import { readFileSync } from "node:fs";
import {
  CTRL,
  GROUP,
  SKIP_MARGIN,
  WASM_MAX_PAGES,
  pendingSlot,
  scratchLayout,
  type BufferName,
  type KernelShape,
  type KernelState,
  type WasmKernels
} from "./kmeansLayout.ts";

let enabled = true;
let module: WebAssembly.Module | null | undefined;
/** The feature counts the module has kernels for (it exports assign<d> for each). */
let dims = new Set<number>();
let memory: WebAssembly.Memory | undefined;
let mainInstance: WebAssembly.Instance | undefined;
/** A memory of this many pages or more could not be had (0: none at all); not tried again until released. */
let refusedPages = Infinity;
let noted = false;

/** Says once on stderr why the TypeScript kernels run instead: slower, never different. */
function fallbackNote(why: string): void {
  if (noted) return;
  noted = true;
  process.stderr.write(`note: k-means runs without its WebAssembly kernels (${why}): slower, with the same results\n`);
}

/** Turns the WebAssembly kernels off or on (tests compare both; results are the same). */
export function setKmeansWasm(on: boolean): void {
  enabled = on;
}

/** The compiled module, or null where it cannot load (then the TypeScript kernels run). */
export function wasmModule(): WebAssembly.Module | null {
  if (module === undefined) {
    try {
      module = new WebAssembly.Module(readFileSync(new URL("./kmeansKernels.generated.wasm", import.meta.url)));
      dims = new Set(WebAssembly.Module.exports(module).flatMap((e) => /^assign(\d+)$/.exec(e.name)?.slice(1).map(Number) ?? []));
    } catch (error) {
      module = null;
      fallbackNote(`kmeansKernels.generated.wasm did not load: ${String((error as Error)?.message ?? error).split("\n")[0]}`);
    }
  }
  return module;
}

/**
 * The process's WebAssembly memory, grown to at least `bytes`, if the kernels apply to data of d
 * features and that size; else undefined. One session uses it at a time (sessions are
 * synchronous), so every session lays its buffers out from address 0. Like the pooled buffers of
 * the TypeScript path, it is kept between sessions (fresh pages cost a fault each on first touch)
 * and never shrinks: it holds the largest session's copy of the data until releaseKmeansBuffers().
 */
export function wasmMemory(d: number, bytes: number): WebAssembly.Memory | undefined {
  if (!enabled || wasmModule() === null || !dims.has(d)) return undefined;
  const pages = Math.ceil(bytes / 65536);
  if (pages > WASM_MAX_PAGES || pages >= refusedPages) return undefined;
  try {
    if (!memory) {
      memory = new WebAssembly.Memory({ initial: pages, maximum: WASM_MAX_PAGES, shared: true });
      mainInstance = undefined;
    }
    const have = memory.buffer.byteLength / 65536;
    if (have < pages) memory.grow(pages - have);
    return memory;
  } catch (error) {
    // No address space or memory for it (a ulimit, say): the TypeScript kernels on ordinary
    // buffers. A failed try costs about 50 ms, so sizes from this one on are not tried again.
    refusedPages = memory ? pages : 0;
    fallbackNote(`no room for its memory: ${String((error as Error)?.message ?? error).split("\n")[0]}`);
    return undefined;
  }
}

/** Drops the memory (the next session makes a new one, and a refused size is tried again). */
export function releaseWasmMemory(): void {
  memory = undefined;
  mainInstance = undefined;
  refusedPages = Infinity;
}

/** An instance of the module on `mem`: the main thread keeps one, a worker makes one per session. */
export function wasmInstance(mem: WebAssembly.Memory, mod: WebAssembly.Module = wasmModule()!): WebAssembly.Instance {
  if (mem === memory && mainInstance) return mainInstance;
  const instance = new WebAssembly.Instance(mod, { env: { mem } });
  if (mem === memory) mainInstance = instance;
  return instance;
}

let bindings = 0;

/** How many times this thread has bound a session to the WebAssembly kernels (tests check they ran). */
export function wasmBindings(): number {
  return bindings;
}

/** Binds the kernels of `instance` to a session's addresses and one thread's scratch (at address `scratch`). */
export function bindWasm(instance: WebAssembly.Instance, shape: KernelShape, at: Record<BufferName, number>, scratch: number): WasmKernels {
  const e = instance.exports as Record<string, (...args: number[]) => number>;
  const sl = scratchLayout(shape);
  bindings++;
  return {
    ppTrials: Array.from({ length: GROUP }, (_, w) => e[`pp${shape.d}x${w + 1}`]),
    assign: e[`assign${shape.d}`],
    at,
    scratch: [sl.rows, sl.d1, sl.d2, sl.best, sl.sums, sl.counts].map((o) => scratch + o)
  };
}

/** OP.ppTrials on one block with the WebAssembly kernel. */
export function wasmPpTrials(s: KernelState, w: WasmKernels, block: number, start: number, end: number): void {
  const { d, k, ctrl } = s;
  const first = ctrl[CTRL.first];
  const { at } = w;
  w.ppTrials[ctrl[CTRL.count] - 1](
    start,
    end,
    at.x,
    at.closest,
    at.lower,
    at.labels,
    at.cands + first * d * 8,
    ctrl[CTRL.arg],
    at.cands + pendingSlot(k) * d * 8,
    at.stat + (block * s.statWidth + first) * 8
  );
}

/** OP.assign (block sums updated, not recomputed) on one block with the WebAssembly kernel. */
export function wasmAssign(s: KernelState, w: WasmKernels, block: number, start: number, end: number): void {
  const { d, k } = s;
  const { at } = w;
  const [rows, d1, d2, best, sums, counts] = w.scratch;
  s.stat[block * s.statWidth] = w.assign(
    start,
    end,
    k,
    at.x,
    at.centers,
    at.labels,
    at.upper,
    at.lower,
    at.half,
    at.drift,
    at.sums + block * k * d * 8,
    at.counts + block * k * 4,
    rows,
    d1,
    d2,
    best,
    sums,
    counts,
    SKIP_MARGIN
  );
}
