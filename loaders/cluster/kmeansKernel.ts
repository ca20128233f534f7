/**
 * The per-block work of k-means, shared by the main thread and the worker (kmeansWorker.ts).
 * Rows are cut into fixed blocks whose size depends on n only; every operation writes its
 * results per block, and the caller combines blocks in block order. So the result is the same
 * bit for bit whichever thread ran which block, and whether workers were used at all.
 *
 * This module imports nothing: the worker loads it on its own through tsx's CommonJS hook.
 */

/** Operation codes: what `runBlock` does to one block. */
export const OP = {
  /** Per block: mean and sum of squared deviations of each feature (for scikit-learn's tol). */
  moments: 1,
  /** k-means++: closest[i] = d²(x_i, candidate 0), labels[i] = 0; stat[0] = Σ closest. */
  ppFirst: 2,
  /** k-means++: stat[t] = Σ_i min(closest[i], d²(x_i, candidate t)) for each trial t. */
  ppTrials: 3,
  /**
   * k-means++: candidate 0 becomes centre number ctrl[arg]: closest[i] = min(closest[i],
   * d²(x_i, candidate 0)), labels[i] = nearest centre so far; stat[0] = Σ closest.
   */
  ppUpdate: 4,
  /** First Lloyd step: every distance; sets labels and Hamerly bounds; block sums from scratch. */
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
  /**
   * For `assign`: 1 = recompute block sums from labels instead of updating them. For
   * `assignAll`: 2 = labels hold each row's nearest starting centre (a hint where to start).
   */
  flags: 3,
  /** For `farthest`: how many rows; for `ppTrials`: how many candidates. */
  count: 4,
  /** For `assign`: the centre that moved most. */
  maxMover: 5,
  /** Set by a worker whose block threw; the main thread then fails the call. */
  error: 6,
  /** For `ppUpdate`: the index of the new centre. */
  arg: 7,
  size: 8
} as const;

/** Slots of the shared Float64 parameter array. */
export const PARAM = {
  /** Largest and second-largest centre movement of the last update (Hamerly's bound update). */
  maxMove: 0,
  secondMove: 1,
  size: 4
} as const;

/** Rows per block: fixed by n alone (so results never depend on the thread count). */
export function blockRowsFor(n: number): number {
  return Math.max(8192, Math.ceil(n / 60000));
}

/** Largest number of k-means++ trial candidates a session supports. */
export function maxTrials(k: number): number {
  return 2 + Math.floor(Math.log(k));
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

export interface KernelBuffers {
  x: ArrayBufferLike;
  ctrl: ArrayBufferLike;
  param: ArrayBufferLike;
  centers: ArrayBufferLike;
  half: ArrayBufferLike;
  move: ArrayBufferLike;
  labels: ArrayBufferLike;
  upper: ArrayBufferLike;
  lower: ArrayBufferLike;
  closest: ArrayBufferLike;
  sums: ArrayBufferLike;
  counts: ArrayBufferLike;
  stat: ArrayBufferLike;
  cands: ArrayBufferLike;
  cc: ArrayBufferLike;
  cdist: ArrayBufferLike;
}

/** Typed views on a session's buffers. */
export interface KernelState extends KernelShape {
  /** Data, n × d row-major. */
  x: Float64Array;
  ctrl: Int32Array;
  param: Float64Array;
  /** Current centres, k × d. */
  centers: Float64Array;
  /** Half the distance from each centre to its nearest other centre (Hamerly's s). */
  half: Float64Array;
  /** How far each centre moved in the last update. */
  move: Float64Array;
  labels: Int32Array;
  /** Upper bound on the distance of each row to its own centre. */
  upper: Float64Array;
  /** Lower bound on the distance of each row to its second-closest centre. */
  lower: Float64Array;
  /** k-means++: squared distance of each row to the nearest chosen centre. */
  closest: Float64Array;
  /** Per block: coordinate sums of each cluster, nBlocks × k × d. */
  sums: Float64Array;
  /** Per block: rows in each cluster, nBlocks × k. */
  counts: Int32Array;
  /** Per block: statWidth scalar outputs of the last operation. */
  stat: Float64Array;
  /** k-means++ candidate rows, maxTrials × d. */
  cands: Float64Array;
  /**
   * k-means++: squared distance from candidate t to chosen centre a at cc[t * k + a]. A row
   * whose nearest centre a has cc ≥ 4 · closest cannot be nearer to the candidate (triangle
   * inequality), so its distance is not computed.
   */
  cc: Float64Array;
  /** Distances between the current centres, k × k. */
  cdist: Float64Array;
}

export function kernelViews(shape: KernelShape, b: KernelBuffers): KernelState {
  const { n, d, k } = shape;
  // Row-sized buffers may be larger than needed (they are reused), so every view has its length.
  return {
    ...shape,
    x: new Float64Array(b.x, 0, n * d),
    ctrl: new Int32Array(b.ctrl),
    param: new Float64Array(b.param),
    centers: new Float64Array(b.centers, 0, k * d),
    half: new Float64Array(b.half, 0, k),
    move: new Float64Array(b.move, 0, k),
    labels: new Int32Array(b.labels, 0, n),
    upper: new Float64Array(b.upper, 0, n),
    lower: new Float64Array(b.lower, 0, n),
    closest: new Float64Array(b.closest, 0, n),
    sums: new Float64Array(b.sums),
    counts: new Int32Array(b.counts),
    stat: new Float64Array(b.stat),
    cands: new Float64Array(b.cands),
    cc: new Float64Array(b.cc),
    cdist: new Float64Array(b.cdist, 0, k * k)
  };
}

/** Runs operation `op` on block `block`. */
export function runBlock(s: KernelState, op: number, block: number): void {
  const start = block * s.blockRows;
  const end = Math.min(s.n, start + s.blockRows);
  const f = compiledFor(s.d);
  switch (op) {
    case OP.moments:
      return f.moments(s, block, start, end);
    case OP.ppFirst:
      return f.ppUpdate(s, block, start, end, true);
    case OP.ppTrials:
      return f.ppTrials(s, block, start, end);
    case OP.ppUpdate:
      return f.ppUpdate(s, block, start, end, false);
    case OP.assignAll:
      return f.assignAll(s, block, start, end);
    case OP.assign:
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

// ---------------------------------------------------------------------------------------------
// The hot operations are compiled per feature count d: the row's d values are read once into
// locals and each squared distance is one unrolled expression, about twice as fast in V8 as
// nested loops. Sums are formed left to right, the same rounding as a plain loop.

type BlockFn = (s: KernelState, block: number, start: number, end: number) => void;

interface Compiled {
  moments: BlockFn;
  assignAll: BlockFn;
  assign: BlockFn;
  inertia: BlockFn;
  ppTrials: BlockFn;
  ppUpdate: (s: KernelState, block: number, start: number, end: number, first: boolean) => void;
}

/** Above this d the code is not unrolled (it would only grow). */
const MAX_UNROLL = 32;
const compiledCache = new Map<number, Compiled>();

function compiledFor(d: number): Compiled {
  let c = compiledCache.get(d);
  if (!c) {
    c = compile(d);
    compiledCache.set(d, c);
  }
  return c;
}

/**
 * A row skips the scan only if its bound test passes with this relative margin. Rows within
 * rounding of a tie (and exact ties) are therefore always rescanned, and go to the lower centre
 * index exactly as in plain Lloyd; accumulated rounding in the bounds cannot cause a wrong skip.
 */
const SKIP_MARGIN = 1 - 1e-12;

/** k-means++ pruning: cc ≥ 4·closest, widened by a margin far above rounding error. */
const PRUNE_FACTOR = 4 * (1 + 1e-9);
/** Lloyd scan pruning: centre distance > 2·r1, with the same kind of margin. */
const PRUNE_RADIUS = 2 * (1 + 1e-9);

function compile(d: number): Compiled {
  const unroll = d <= MAX_UNROLL;
  const js = Array.from({ length: d }, (_, j) => j);
  /** Loads row values into locals x0..x{d-1} (unrolled) — `xb` is the row's offset. */
  const loadRow = unroll ? `const ${js.map((j) => `x${j} = x[xb + ${j}]`).join(", ")};` : "";
  /** `let out` = squared distance between the row and `arr` at offset `off`. */
  const dist = (out: string, arr: string, off: string) =>
    unroll
      ? `const ${js.map((j) => `t${j} = x${j} - ${arr}[${off} + ${j}]`).join(", ")};
         const ${out} = ${js.map((j) => `t${j} * t${j}`).join(" + ")};`
      : `let ${out} = 0;
         for (let j = 0; j < ${d}; j++) { const t = x[xb + j] - ${arr}[${off} + j]; ${out} += t * t; }`;
  /** sums[base + j] ±= row value j. */
  const addRow = (sign: "+" | "-", base: string) =>
    unroll
      ? js.map((j) => `sums[${base} + ${j}] ${sign}= x${j};`).join("\n")
      : `for (let j = 0; j < ${d}; j++) sums[${base} + j] ${sign}= x[xb + j];`;
  /**
   * Scan over all centres, starting from centre `from` at squared distance `e0`: nearest `best`
   * at squared distance d1 (r1 = √d1) and a lower bound `low` on the distance to every other
   * centre. A centre c with ‖c − best‖ > 2·r1 cannot be nearer than best (triangle inequality),
   * so its distance is not computed; ‖c − best‖ − r1 bounds it from below instead. Exact ties go
   * to the lower index, as a plain argmin over 0..k−1 would.
   */
  const scanFrom = (from: string, e0: string, root0: string) => `
    let best = ${from}, d1 = ${e0}, r1 = ${root0}, d2 = Infinity, low = Infinity;
    for (let c = 0, cb = 0; c < k; c++, cb += ${d}) {
      if (c === ${from}) continue;
      const g = cdist[best * k + c];
      if (g > r1 * ${PRUNE_RADIUS}) {
        const b = g - r1;
        if (b < low) low = b;
        continue;
      }
      ${dist("e", "centers", "cb")}
      if (e < d1 || (e === d1 && c < best)) { d2 = d1; d1 = e; best = c; r1 = Math.sqrt(e); }
      else if (e < d2) d2 = e;
    }
    {
      const r2 = Math.sqrt(d2);
      if (r2 < low) low = r2;
    }`;
  /** Plain scan over all centres (every distance): exact d1 ≤ d2 give the tightest bounds. */
  const scanAll = `
    let best = 0, d1 = Infinity, d2 = Infinity;
    for (let c = 0, cb = 0; c < k; c++, cb += ${d}) {
      ${dist("e", "centers", "cb")}
      if (e < d1) { d2 = d1; d1 = e; best = c; } else if (e < d2) d2 = e;
    }
    const r1 = Math.sqrt(d1), low = Math.sqrt(d2);`;
  // Block sums are updated in private copies and written back once: neighbouring blocks' counts
  // share cache lines, and two threads writing them row by row would contend for the lines.
  const blockSlices = `
    const sumsOut = s.sums.subarray(block * k * ${d}, (block + 1) * k * ${d});
    const countsOut = s.counts.subarray(block * k, (block + 1) * k);
    const sums = new Float64Array(sumsOut);
    const counts = new Int32Array(countsOut);`;
  const writeBack = `
    sumsOut.set(sums);
    countsOut.set(counts);`;
  const rows = (body: string) => `for (let i = start, xb = start * ${d}; i < end; i++, xb += ${d}) { ${loadRow} ${body} }`;

  // First Lloyd step: every distance; labels, Hamerly bounds and block sums from scratch.
  // With flag 2, labels hold each row's nearest starting centre (left by k-means++), where the
  // scan starts; otherwise it starts at centre 0.
  const assignAll = `
    const { x, k, centers, labels, upper, lower, cdist } = s;
    const hinted = s.ctrl[${CTRL.flags}] === 2;
    ${blockSlices}
    sums.fill(0);
    counts.fill(0);
    if (hinted) {
      ${rows(`
        const from = labels[i];
        const fb = from * ${d};
        ${dist("e0", "centers", "fb")}
        ${scanFrom("from", "e0", "Math.sqrt(e0)")}
        labels[i] = best;
        upper[i] = r1;
        lower[i] = low;
        counts[best]++;
        const sb = best * ${d};
        ${addRow("+", "sb")}
      `)}
    } else {
      ${rows(`
        ${scanAll}
        labels[i] = best;
        upper[i] = r1;
        lower[i] = low;
        counts[best]++;
        const sb = best * ${d};
        ${addRow("+", "sb")}
      `)}
    }
    // Every label is new (scikit-learn starts from labels -1): this step never converges strictly.
    ${writeBack}
    s.stat[block * s.statWidth] = end - start;`;

  // Later steps (Hamerly): move the bounds by how far the centres moved; scan all centres only
  // for rows whose upper bound exceeds both the lower bound and half the gap to the nearest
  // other centre. Block sums follow the rows that change cluster, or are recomputed (flag 1).
  const assign = `
    const { x, k, centers, labels, upper, lower, half, move, cdist } = s;
    ${blockSlices}
    const maxMover = s.ctrl[${CTRL.maxMover}];
    const maxMove = s.param[${PARAM.maxMove}];
    const secondMove = s.param[${PARAM.secondMove}];
    const recompute = s.ctrl[${CTRL.flags}] === 1;
    let changed = 0;
    for (let i = start, xb = start * ${d}; i < end; i++, xb += ${d}) {
      const a = labels[i];
      let u = upper[i] + move[a];
      let l = lower[i] - (a === maxMover ? secondMove : maxMove);
      const h = half[a];
      const bound = (h > l ? h : l) * ${SKIP_MARGIN};
      if (u > bound) {
        ${loadRow}
        const ab = a * ${d};
        ${dist("own", "centers", "ab")}
        u = Math.sqrt(own);
        if (u > bound) {
          ${scanFrom("a", "own", "u")}
          u = r1;
          l = low;
          if (best !== a) {
            labels[i] = best;
            changed++;
            if (!recompute) {
              counts[a]--;
              counts[best]++;
              const ob = ab, nb = best * ${d};
              ${addRow("-", "ob")}
              ${addRow("+", "nb")}
            }
          }
        }
      }
      upper[i] = u;
      lower[i] = l;
    }
    if (recompute) {
      sums.fill(0);
      counts.fill(0);
      ${rows(`
        const c = labels[i];
        counts[c]++;
        const cb = c * ${d};
        ${addRow("+", "cb")}
      `)}
    }
    ${writeBack}
    s.stat[block * s.statWidth] = changed;`;

  const inertia = `
    const { x, centers, labels } = s;
    let sum = 0;
    ${rows(`
      const cb = labels[i] * ${d};
      ${dist("e", "centers", "cb")}
      sum += e;
    `)}
    s.stat[block * s.statWidth] = sum;`;

  // k-means++: potential of each trial candidate, all trials in one pass over the rows. Rows
  // provably not nearer to a candidate than to their own centre (see KernelState.cc) add
  // closest[i] without a distance computation; the sums are the same either way.
  const ppTrials = `
    const { x, k, closest, cands, cc, labels } = s;
    const trials = s.ctrl[${CTRL.count}];
    const pots = new Float64Array(trials);
    for (let i = start, xb = start * ${d}; i < end; i++, xb += ${d}) {
      const c = closest[i];
      const far = c * ${PRUNE_FACTOR};
      const a = labels[i];
      let loaded = false;
      ${unroll ? `let ${js.map((j) => `x${j} = 0`).join(", ")};` : ""}
      for (let t = 0, cb = 0; t < trials; t++, cb += ${d}) {
        if (cc[t * k + a] >= far) { pots[t] += c; continue; }
        ${unroll ? `if (!loaded) { ${js.map((j) => `x${j} = x[xb + ${j}];`).join(" ")} loaded = true; }` : ""}
        ${dist("e", "cands", "cb")}
        pots[t] += e < c ? e : c;
      }
    }
    s.stat.set(pots, block * s.statWidth);`;

  // k-means++: the chosen candidate becomes a centre (same pruning as above).
  const ppUpdate = `
    const { x, k, closest, cands, cc, labels } = s;
    const centre = s.ctrl[${CTRL.arg}];
    let pot = 0;
    for (let i = start, xb = start * ${d}; i < end; i++, xb += ${d}) {
      let c = closest[i];
      if (first || cc[labels[i]] < c * ${PRUNE_FACTOR}) {
        ${loadRow}
        ${dist("e", "cands", "0")}
        if (first || e < c) {
          c = e;
          closest[i] = e;
          labels[i] = centre;
        }
      }
      pot += c;
    }
    s.stat[block * s.statWidth] = pot;`;

  // Per block: mean of each feature, then (block in cache) the sum of squared deviations.
  const moments = `
    const { x, statWidth } = s;
    const m = end - start;
    const o = block * statWidth;
    const mean = new Float64Array(${d});
    const m2 = new Float64Array(${d});
    ${unroll ? `let ${js.map((j) => `s${j} = 0`).join(", ")};` : ""}
    ${rows(unroll ? js.map((j) => `s${j} += x${j};`).join(" ") : `for (let j = 0; j < ${d}; j++) mean[j] += x[xb + j];`)}
    ${unroll ? js.map((j) => `const mu${j} = s${j} / m; s${j} = 0;`).join(" ") : `for (let j = 0; j < ${d}; j++) mean[j] /= m;`}
    ${rows(
      unroll
        ? js.map((j) => `{ const t = x${j} - mu${j}; s${j} += t * t; }`).join(" ")
        : `for (let j = 0; j < ${d}; j++) { const t = x[xb + j] - mean[j]; m2[j] += t * t; }`
    )}
    ${unroll ? js.map((j) => `mean[${j}] = mu${j}; m2[${j}] = s${j};`).join(" ") : ""}
    s.stat.set(mean, o);
    s.stat.set(m2, o + ${d});`;

  const fn = (body: string, ...extra: string[]) => new Function("s", "block", "start", "end", ...extra, body);
  return {
    moments: fn(moments) as BlockFn,
    assignAll: fn(assignAll) as BlockFn,
    assign: fn(assign) as BlockFn,
    inertia: fn(inertia) as BlockFn,
    ppTrials: fn(ppTrials) as BlockFn,
    ppUpdate: fn(ppUpdate, "first") as Compiled["ppUpdate"]
  };
}
