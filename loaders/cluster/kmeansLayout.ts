/**
 * The shared memory of a k-means session: operation codes, control slots, buffers and their
 * views, and the constants the kernels share. Used by the dispatcher (kmeansKernel.ts), the
 * generated kernels (kmeansKernels.generated.ts), the main thread and the workers.
 *
 * Imports nothing: the worker loads it through tsx's CommonJS hook.
 */

/** Operation codes: what a kernel does to one block. */
export const OP = {
  /** Per block: mean and sum of squared deviations of each feature (for scikit-learn's tol). */
  moments: 1,
  /** k-means++: closest[i] = d²(x_i, candidate 0), labels[i] = 0, lower[i] = ∞; stat[0] = Σ closest. */
  ppFirst: 2,
  /**
   * k-means++, one round: first the pending centre (ctrl[arg] ≥ 0, see pendingSlot) joins the
   * chosen ones: closest[i] and labels[i] follow the nearest centre so far, and lower[i] is the
   * squared distance to the second-nearest. Then stat[first + w] = Σ_i min(closest[i],
   * d²(x_i, candidate first + w)) for the ctrl[count] candidates from ctrl[first] on.
   */
  ppTrials: 3,
  /**
   * First Lloyd step from the centres k-means++ just chose: the pending centre joins as in
   * ppTrials; then labels are each row's nearest centre and closest, lower its two smallest
   * squared distances, so only block sums are formed and upper[i] = √closest[i], lower[i] =
   * √lower[i]: the state assignAll would leave, without computing a distance.
   */
  seedSums: 4,
  /** First Lloyd step from arbitrary centres: every distance; labels, bounds, block sums. */
  assignAll: 5,
  /** Later Lloyd steps: Hamerly's bound test, full scan only where it fails; stat[0] = changed. */
  assign: 6,
  /** stat = the M rows farthest from their own centre (distance desc, index asc), for empty clusters. */
  farthest: 7,
  /** stat[0] = Σ d²(x_i, centre of label i). */
  inertia: 8,
  /** Tells the worker that the session is over. */
  end: 9
} as const;

/** Slots of the shared Int32 control array. */
export const CTRL = {
  /** (phase generation << 16) | next unclaimed block: claimed by compare-and-swap. */
  claim: 0,
  /** Blocks finished in the current phase. */
  done: 1,
  op: 2,
  /** For `assign`: 1 = recompute block sums from labels instead of updating them. */
  flags: 3,
  /** For `farthest`: how many rows; for `ppTrials`: how many candidates (at most GROUP). */
  count: 4,
  /** Set by a worker whose block threw; the main thread then fails the call. */
  error: 5,
  /** For `ppTrials` and `seedSums`: the index of the pending centre, or −1 for none. */
  arg: 6,
  /** For `ppTrials`: the first candidate slot. */
  first: 7,
  size: 8
} as const;

/**
 * A row skips the scan only if its bound test passes with this margin, relative to the bound
 * and to the drift its stored bounds are net of. Rows within rounding of a tie (and exact ties)
 * are therefore always rescanned, and go to the lower centre index exactly as in plain Lloyd;
 * rounding in the bounds cannot cause a wrong skip.
 */
export const SKIP_MARGIN = 1e-12;
/**
 * Centres (k-means++ candidates, Lloyd centres) are compared with the rows this many at a time,
 * their coordinates held in locals: kernels are generated per group size.
 */
export const GROUP = 4;

/**
 * Largest WebAssembly memory a session's buffers may take, in 64 KiB pages (2 GiB): what the
 * kernels' module declares (kmeansWasm.gen.ts). Larger data runs the TypeScript kernels.
 */
export const WASM_MAX_PAGES = 32768;

/** Rows per block: fixed by n alone (so results never depend on the thread count). */
export function blockRowsFor(n: number): number {
  return Math.max(8192, Math.ceil(n / 60000));
}

/** Largest number of k-means++ trial candidates a session supports. */
export function maxTrials(k: number): number {
  return 2 + Math.floor(Math.log(k));
}

/** The slot of `cands` that holds the pending k-means++ centre. */
export function pendingSlot(k: number): number {
  return maxTrials(k);
}

export function statWidthFor(d: number, k: number): number {
  return Math.max(2 * d, 2 * k, maxTrials(k), 1);
}

/** Plain description of a session's buffers; what is posted to the worker. */
export interface KernelShape {
  n: number;
  d: number;
  k: number;
  blockRows: number;
  nBlocks: number;
  statWidth: number;
}

/** Where a buffer of a session lies: in its own buffer, or in one WebAssembly memory with the rest. */
export interface Region {
  buffer: ArrayBufferLike;
  /** Byte offset in `buffer`. */
  at: number;
}

export const BUFFER_NAMES = [
  "x",
  "ctrl",
  "centers",
  "half",
  "move",
  "drift",
  "labels",
  "upper",
  "lower",
  "closest",
  "sums",
  "counts",
  "stat",
  "cands"
] as const;

export type BufferName = (typeof BUFFER_NAMES)[number];

export type KernelBuffers = Record<BufferName, Region>;

/** Bytes of each buffer of a session of this shape. */
export function bufferBytes(shape: KernelShape): Record<BufferName, number> {
  const { n, d, k, nBlocks, statWidth } = shape;
  return {
    x: n * d * 8,
    ctrl: CTRL.size * 4,
    centers: k * d * 8,
    half: k * 8,
    move: k * 8,
    drift: 2 * k * 8,
    labels: n * 4,
    upper: n * 8,
    lower: n * 8,
    closest: n * 8,
    sums: nBlocks * k * d * 8,
    counts: nBlocks * k * 4,
    stat: nBlocks * statWidth * 8,
    cands: (pendingSlot(k) + 1) * d * 8
  };
}

/**
 * One thread's scratch for a Lloyd step, in the order the WebAssembly kernel takes them: the
 * scanned rows, their two smallest squared distances and nearest centre (two slots more than a
 * block: the scan goes two rows at a time, an odd count padded with its last row), and private
 * copies of a block's sums and counts.
 */
export function scratchLayout(shape: KernelShape): { rows: number; d1: number; d2: number; best: number; sums: number; counts: number; bytes: number } {
  const slots = shape.blockRows + 2;
  const rows = 0;
  const d1 = align(rows + slots * 4);
  const d2 = align(d1 + slots * 8);
  const best = align(d2 + slots * 8);
  const sums = align(best + slots * 4);
  const counts = align(sums + shape.k * shape.d * 8);
  return { rows, d1, d2, best, sums, counts, bytes: align(counts + shape.k * 4) };
}

/** Rounds a byte count up to 16 (one SIMD vector). */
export function align(bytes: number): number {
  return Math.ceil(bytes / 16) * 16;
}

/** Typed views on a session's buffers. */
export interface KernelState extends KernelShape {
  /** Data, n × d row-major. */
  x: Float64Array;
  ctrl: Int32Array;
  /** Current centres, k × d. */
  centers: Float64Array;
  /** Half the distance from each centre to its nearest other centre (Hamerly's s). */
  half: Float64Array;
  /** How far each centre moved in the last update. */
  move: Float64Array;
  /**
   * Since the Lloyd run began, per centre a: drift[a] = how far it moved in all, drift[k + a] =
   * Σ over steps of the largest move of any other centre. Bounds are stored net of them (upper
   * − drift[a], lower + drift[k + a], a the row's centre when stored), so a row that passes its
   * bound test needs no write: Hamerly's per-step updates, summed.
   */
  drift: Float64Array;
  labels: Int32Array;
  /** Upper bound on the distance of each row to its own centre (net of drift, see there). */
  upper: Float64Array;
  /**
   * Lower bound on the distance of each row to its second-closest centre (Hamerly's, net of
   * drift); during k-means++, the squared distance to the second-nearest chosen centre.
   */
  lower: Float64Array;
  /** k-means++: squared distance of each row to the nearest chosen centre. */
  closest: Float64Array;
  /** Per block: coordinate sums of each cluster, nBlocks × k × d. */
  sums: Float64Array;
  /** Per block: rows in each cluster, nBlocks × k. */
  counts: Int32Array;
  /** Per block: statWidth scalar outputs of the last operation. */
  stat: Float64Array;
  /** k-means++ candidate rows, maxTrials × d, then the pending centre (pendingSlot). */
  cands: Float64Array;
  /** Per thread, for the rows of one block that a Lloyd step scans: their indices... */
  scanRows: Int32Array;
  /** ...their smallest and second-smallest squared distance so far, and the nearest centre. */
  scanD1: Float64Array;
  scanD2: Float64Array;
  scanBest: Int32Array;
  /** The WebAssembly kernels, when the session's buffers lie in WebAssembly memory (kmeansWasm.ts). */
  wasm?: WasmKernels;
}

/** The WebAssembly kernels of one thread, for one session: functions and byte addresses. */
export interface WasmKernels {
  /** ppTrials for 1..GROUP candidates (see kmeansWasm.gen.ts for the parameters). */
  ppTrials: ReadonlyArray<(...args: number[]) => void>;
  assign: (...args: number[]) => number;
  /** Byte address of each buffer in the WebAssembly memory. */
  at: Record<BufferName, number>;
  /** Byte addresses of this thread's scratch: scanned rows, d1, d2, best, block sums, block counts (scratchLayout). */
  scratch: readonly number[];
}

/**
 * Typed views on a session's buffers for one thread. `scratch`: that thread's scratch region
 * (scratchLayout) when the scan buffers must lie in shared WebAssembly memory; else new arrays.
 */
export function kernelViews(shape: KernelShape, b: KernelBuffers, scratch?: Region): KernelState {
  const { n, d, k, blockRows } = shape;
  const bytes = bufferBytes(shape);
  const f64 = (r: Region, length: number) => new Float64Array(r.buffer, r.at, length);
  const i32 = (r: Region, length: number) => new Int32Array(r.buffer, r.at, length);
  const sl = scratchLayout(shape);
  const own = scratch ?? { buffer: new ArrayBuffer(sl.bytes), at: 0 };
  const part = (offset: number): Region => ({ buffer: own.buffer, at: own.at + offset });
  // Row-sized buffers may be larger than needed (they are reused), so every view has its length.
  return {
    ...shape,
    x: f64(b.x, n * d),
    ctrl: i32(b.ctrl, CTRL.size),
    centers: f64(b.centers, k * d),
    half: f64(b.half, k),
    move: f64(b.move, k),
    drift: f64(b.drift, 2 * k),
    labels: i32(b.labels, n),
    upper: f64(b.upper, n),
    lower: f64(b.lower, n),
    closest: f64(b.closest, n),
    sums: f64(b.sums, bytes.sums / 8),
    counts: i32(b.counts, bytes.counts / 4),
    stat: f64(b.stat, bytes.stat / 8),
    cands: f64(b.cands, bytes.cands / 8),
    scanRows: i32(part(sl.rows), blockRows),
    scanD1: f64(part(sl.d1), blockRows),
    scanD2: f64(part(sl.d2), blockRows),
    scanBest: i32(part(sl.best), blockRows)
  };
}

/** One block's share of an operation: rows start..end−1 of block `block`. */
export type BlockFn = (s: KernelState, block: number, start: number, end: number) => void;

/** The operations whose inner loops depend on d (generated; see kmeansKernels.gen.ts). */
export interface BlockKernels {
  moments: BlockFn;
  ppFirst: BlockFn;
  /** Indexed by the candidate count − 1 (1..GROUP). */
  ppTrials: readonly BlockFn[];
  seedSums: BlockFn;
  assignAll: BlockFn;
  assign: BlockFn;
  inertia: BlockFn;
}
