/**
 * The per-block work of k-means, shared by the main thread and the worker (kmeansWorker.ts).
 * Rows are cut into fixed blocks whose size depends on n only; every operation writes its
 * results per block, and the caller combines blocks in block order. So the result is the same
 * bit for bit whichever thread ran which block, and whether workers were used at all.
 *
 * The operations whose loops depend on d are generated source (kmeansKernels.gen.ts writes
 * kmeansKernels.generated.ts): unrolled for small d, loops above. The rest are here. Where the
 * session's buffers lie in WebAssembly memory, its kernels run the k-means++ rounds and the Lloyd
 * steps instead (kmeansWasm.ts), with the same results.
 *
 * Imports only kernel modules: the worker loads it through tsx's CommonJS hook.
 */
import { CTRL, OP, type KernelState } from "./kmeansLayout.ts";
import { kernelsFor } from "./kmeansKernels.generated.ts";
import { wasmAssign, wasmPpTrials } from "./kmeansWasm.ts";

export * from "./kmeansLayout.ts";

/** Runs operation `op` on block `block`. */
export function runBlock(s: KernelState, op: number, block: number): void {
  const start = block * s.blockRows;
  const end = Math.min(s.n, start + s.blockRows);
  const f = kernelsFor(s.d);
  switch (op) {
    case OP.moments:
      return f.moments(s, block, start, end);
    case OP.ppFirst:
      return f.ppFirst(s, block, start, end);
    case OP.ppTrials:
      if (s.wasm) return wasmPpTrials(s, s.wasm, block, start, end);
      return f.ppTrials[s.ctrl[CTRL.count] - 1](s, block, start, end);
    case OP.seedSums:
      return f.seedSums(s, block, start, end);
    case OP.assignAll:
      return f.assignAll(s, block, start, end);
    case OP.assign:
      // Recomputing block sums (after an empty cluster was refilled) is rare: TypeScript only.
      if (s.wasm && s.ctrl[CTRL.flags] !== 1) return wasmAssign(s, s.wasm, block, start, end);
      return f.assign(s, block, start, end);
    case OP.farthest:
      return farthest(s, block, start, end);
    case OP.inertia:
      return f.inertia(s, block, start, end);
    default:
      throw new Error(`k-means kernel: unknown operation ${op}`);
  }
}

function farthest(s: KernelState, block: number, start: number, end: number): void {
  const { x, d, centers, labels, stat } = s;
  const m = s.ctrl[CTRL.count];
  const o = block * s.statWidth;
  // A small sorted list (distance desc, index asc) of the m farthest rows: m ≤ k is small.
  const dist = new Float64Array(m).fill(-1);
  const idx = new Float64Array(m).fill(-1);
  for (let i = start, xb = start * d; i < end; i++, xb += d) {
    const cb = labels[i] * d;
    let e = 0;
    for (let j = 0; j < d; j++) {
      const t = x[xb + j] - centers[cb + j];
      e += t * t;
    }
    if (e <= dist[m - 1]) continue;
    let p = m - 1;
    while (p > 0 && dist[p - 1] < e) {
      dist[p] = dist[p - 1];
      idx[p] = idx[p - 1];
      p--;
    }
    dist[p] = e;
    idx[p] = i;
  }
  for (let r = 0; r < m; r++) {
    stat[o + 2 * r] = dist[r];
    stat[o + 2 * r + 1] = idx[r];
  }
}
