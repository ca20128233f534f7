/**
 * Synthetic data with planted structure, for tests and benchmarks: customers as Gaussian blobs
 * whose true segment is known, and a transaction log whose customers follow planted behaviour
 * groups. Everything is drawn from one seeded Rng, so the same options give identical data.
 */
import { checkParam } from "./errors.ts";
import type { FeatureMatrix } from "./matrix.ts";
import { Rng } from "./rng.ts";

export interface PlantedCustomersOptions {
  /** Rows (customers), including outliers. */
  n: number;
  /** Features. */
  d: number;
  /** Planted segments. */
  k: number;
  seed: number;
  /**
   * Minimum distance between two segment centres, in units of the base within-segment standard
   * deviation (each segment's own deviation is 0.8–1.2 of it). The default 8 leaves the
   * half-way plane ≥ 3.3 deviations from either centre, so about 1 row in 2,000 or fewer lies
   * on the wrong side: k-means, Ward and GMM recover the segments with ARI ≥ 0.95.
   */
  separation?: number;
  /** Share of rows (0 ≤ share < 0.5) that are uniform outliers far from every segment; default 0. */
  outlierShare?: number;
}

export interface PlantedCustomers {
  matrix: FeatureMatrix;
  /** truth[i] is row i's planted segment 0..k-1, or -1 for a planted outlier. */
  truth: Int32Array;
  /** Indices of the planted outliers, increasing. */
  outliers: Int32Array;
  /** The planted centres, k × d row-major. */
  centres: Float64Array;
}

/** Segment sizes differ by at most this factor, so no segment is tiny. */
const MAX_SIZE_RATIO = 3;
/** Outliers keep at least this many base deviations from every centre. */
const OUTLIER_MARGIN = 6;

export function plantedCustomers(options: PlantedCustomersOptions): PlantedCustomers {
  const { n, d, k, seed } = options;
  const separation = options.separation ?? 8;
  const outlierShare = options.outlierShare ?? 0;
  checkParam(Number.isInteger(d) && d >= 1, "d", d, "an integer ≥ 1");
  checkParam(Number.isInteger(k) && k >= 1, "k", k, "an integer ≥ 1");
  checkParam(Number.isFinite(separation) && separation > 0, "separation", separation, "a positive number");
  checkParam(outlierShare >= 0 && outlierShare < 0.5, "outlierShare", outlierShare, "a number in [0, 0.5)");
  const nOutliers = Math.round(n * outlierShare);
  checkParam(Number.isInteger(n) && n - nOutliers >= k, "n", n, `an integer ≥ k (${k}) plus the outliers`);

  const rng = new Rng(seed);
  const centres = placeCentres(rng, k, d, separation);
  const sigma = Float64Array.from({ length: k }, () => 0.8 + 0.4 * rng.random());
  const sizes = apportion(n - nOutliers, Array.from({ length: k }, () => 1 + (MAX_SIZE_RATIO - 1) * rng.random()));

  // Row order is shuffled so that no algorithm can profit from rows sorted by segment.
  const truth = new Int32Array(n);
  let row = 0;
  for (let c = 0; c < k; c++) for (let s = 0; s < sizes[c]; s++) truth[row++] = c;
  truth.fill(-1, row);
  rng.shuffle(truth);

  const data = new Float64Array(n * d);
  const outliers = new Int32Array(nOutliers);
  let o = 0;
  const box = boundingBox(centres, k, d, OUTLIER_MARGIN * 2);
  for (let i = 0; i < n; i++) {
    const c = truth[i];
    const base = i * d;
    if (c >= 0) {
      const s = sigma[c];
      const cb = c * d;
      for (let j = 0; j < d; j++) data[base + j] = centres[cb + j] + s * rng.normal();
    } else {
      outliers[o++] = i;
      drawOutlier(rng, data, base, centres, k, d, box);
    }
  }
  const names = Array.from({ length: d }, (_, j) => `x${j + 1}`);
  return { matrix: { names, n, d, data }, truth, outliers, centres };
}

/** Centres uniform in a cube, each at least `separation` from the others (rejection sampling). */
function placeCentres(rng: Rng, k: number, d: number, separation: number): Float64Array {
  const centres = new Float64Array(k * d);
  // A cube whose side fits k spheres of diameter `separation` comfortably; it grows on failure.
  let half = separation * Math.max(1, Math.pow(k, 1 / d));
  const min2 = separation * separation;
  for (let c = 0; c < k; c++) {
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0 && attempt % 200 === 0) half *= 1.25;
      const cb = c * d;
      for (let j = 0; j < d; j++) centres[cb + j] = (2 * rng.random() - 1) * half;
      let ok = true;
      for (let p = 0; p < c && ok; p++) {
        let s = 0;
        for (let j = 0; j < d; j++) {
          const t = centres[cb + j] - centres[p * d + j];
          s += t * t;
        }
        ok = s >= min2;
      }
      if (ok) break;
    }
  }
  return centres;
}

/** Splits `total` into integer parts proportional to `weights` (largest remainders), each ≥ 1. */
function apportion(total: number, weights: number[]): number[] {
  const k = weights.length;
  if (total < k) return weights.map((_, i) => (i < total ? 1 : 0));
  const sum = weights.reduce((a, b) => a + b, 0);
  const free = total - k;
  const exact = weights.map((w) => (free * w) / sum);
  const sizes = exact.map((x) => 1 + Math.floor(x));
  let left = total - sizes.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => [x - Math.floor(x), i]).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let r = 0; left > 0; r++, left--) sizes[order[r % k][1]]++;
  return sizes;
}

function boundingBox(centres: Float64Array, k: number, d: number, pad: number): { lo: Float64Array; hi: Float64Array } {
  const lo = new Float64Array(d).fill(Infinity);
  const hi = new Float64Array(d).fill(-Infinity);
  for (let c = 0; c < k; c++)
    for (let j = 0; j < d; j++) {
      lo[j] = Math.min(lo[j], centres[c * d + j] - pad);
      hi[j] = Math.max(hi[j], centres[c * d + j] + pad);
    }
  return { lo, hi };
}

/** A point uniform in the padded box, redrawn until it is OUTLIER_MARGIN·√d from every centre. */
function drawOutlier(
  rng: Rng,
  data: Float64Array,
  base: number,
  centres: Float64Array,
  k: number,
  d: number,
  box: { lo: Float64Array; hi: Float64Array }
): void {
  // Blob points lie about √d deviations from their centre, so the margin scales with √d.
  const min2 = OUTLIER_MARGIN * OUTLIER_MARGIN * Math.max(d, 2);
  for (let attempt = 0; ; attempt++) {
    // If the box is crowded, step outside it: the point is then far from everything anyway.
    const stretch = 1 + Math.floor(attempt / 100);
    for (let j = 0; j < d; j++) {
      const mid = (box.lo[j] + box.hi[j]) / 2;
      const halfWidth = ((box.hi[j] - box.lo[j]) / 2) * stretch;
      data[base + j] = mid + (2 * rng.random() - 1) * halfWidth;
    }
    let ok = true;
    for (let c = 0; c < k && ok; c++) {
      let s = 0;
      for (let j = 0; j < d; j++) {
        const t = data[base + j] - centres[c * d + j];
        s += t * t;
      }
      ok = s >= min2;
    }
    if (ok) return;
  }
}

// ---------------------------------------------------------------------------------------------
// Transactions

export interface PlantedTransactionsOptions {
  /** Number of customers. */
  customers: number;
  seed: number;
  /** Last day of the log, YYYY-MM-DD (UTC); default 2024-12-31. The log covers two years up to it. */
  end?: string;
}

/** A behaviour group: how often, how recently and how much its customers buy. */
interface Behaviour {
  name: string;
  /** Share of customers. */
  share: number;
  /** Purchases per customer: uniform integer in [min, max]. */
  purchases: [number, number];
  /** Purchase days lie in this window, counted back from the end of the log. */
  daysAgo: [number, number];
  /** Median unit price; prices are log-normal around it. */
  price: number;
  /** Largest quantity per purchase (uniform 1..max). */
  maxQuantity: number;
}

/** The planted groups, in label order. */
export const BEHAVIOURS: readonly Behaviour[] = [
  { name: "loyal big spenders", share: 0.15, purchases: [20, 40], daysAgo: [0, 729], price: 60, maxQuantity: 4 },
  { name: "regular customers", share: 0.35, purchases: [6, 14], daysAgo: [0, 729], price: 20, maxQuantity: 3 },
  { name: "new customers", share: 0.2, purchases: [1, 3], daysAgo: [0, 60], price: 25, maxQuantity: 2 },
  { name: "lapsed one-off buyers", share: 0.3, purchases: [1, 2], daysAgo: [400, 729], price: 15, maxQuantity: 1 }
];

export interface PlantedTransactions {
  /** One entry per transaction, sorted by date (ties keep customer order). */
  customerId: string[];
  /** Epoch milliseconds at 00:00 UTC of the purchase day. */
  date: Float64Array;
  /** Amount paid (quantity × unit price), rounded to cents. */
  amount: Float64Array;
  quantity: Int32Array;
  /** Per customer: id and planted behaviour group (index into groupNames). */
  customers: { id: string[]; group: Int32Array };
  groupNames: string[];
}

const DAY_MS = 86_400_000;

export function plantedTransactions(options: PlantedTransactionsOptions): PlantedTransactions {
  const { customers, seed } = options;
  checkParam(Number.isInteger(customers) && customers >= 1, "customers", customers, "an integer ≥ 1");
  const endText = options.end ?? "2024-12-31";
  const endMs = Date.parse(`${endText}T00:00:00Z`);
  checkParam(/^\d{4}-\d{2}-\d{2}$/.test(endText) && Number.isFinite(endMs), "end", endText, "a date YYYY-MM-DD");
  const endDay = Math.round(endMs / DAY_MS);

  const rng = new Rng(seed);
  const sizes = apportion(customers, BEHAVIOURS.map((b) => b.share));
  const group = new Int32Array(customers);
  let row = 0;
  sizes.forEach((size, g) => group.fill(g, row, (row += size)));
  rng.shuffle(group);
  const width = String(customers).length;
  const ids = Array.from({ length: customers }, (_, i) => `C${String(i + 1).padStart(width, "0")}`);

  const counts = new Int32Array(customers);
  let total = 0;
  for (let c = 0; c < customers; c++) {
    const [lo, hi] = BEHAVIOURS[group[c]].purchases;
    counts[c] = lo + rng.int(hi - lo + 1);
    total += counts[c];
  }
  const owner = new Int32Array(total);
  const day = new Int32Array(total);
  const amountRaw = new Float64Array(total);
  const quantityRaw = new Int32Array(total);
  let t = 0;
  for (let c = 0; c < customers; c++) {
    const b = BEHAVIOURS[group[c]];
    const [near, far] = b.daysAgo;
    for (let p = 0; p < counts[c]; p++, t++) {
      owner[t] = c;
      day[t] = endDay - (near + rng.int(far - near + 1));
      const q = 1 + rng.int(b.maxQuantity);
      const unit = b.price * Math.exp(0.3 * rng.normal());
      quantityRaw[t] = q;
      amountRaw[t] = Math.round(q * unit * 100) / 100;
    }
  }

  // Counting sort by day: O(total), stable, so same-day purchases keep customer order.
  const firstDay = endDay - 729;
  const bucket = new Int32Array(731);
  for (let i = 0; i < total; i++) bucket[day[i] - firstDay + 1]++;
  for (let b = 1; b < bucket.length; b++) bucket[b] += bucket[b - 1];
  const customerId = new Array<string>(total);
  const date = new Float64Array(total);
  const amount = new Float64Array(total);
  const quantity = new Int32Array(total);
  for (let i = 0; i < total; i++) {
    const at = bucket[day[i] - firstDay]++;
    customerId[at] = ids[owner[i]];
    date[at] = day[i] * DAY_MS;
    amount[at] = amountRaw[i];
    quantity[at] = quantityRaw[i];
  }
  return { customerId, date, amount, quantity, customers: { id: ids, group }, groupNames: BEHAVIOURS.map((b) => b.name) };
}

// ---------------------------------------------------------------------------------------------
// Wide one-hot tables

export interface WideCustomersOptions {
  n: number;
  seed: number;
  /** Numeric columns; default 3. */
  numeric?: number;
  /** Categorical columns of 2–4 levels each; default 16 (47 features or so in all, a subscription table's shape). */
  categorical?: number;
  /** Planted segments; default 4. */
  segments?: number;
  /** Share of a segment's rows that take its preferred level of each categorical column; default 0.7. */
  purity?: number;
}

/**
 * A wide table already prepared as the pipeline prepares one (numeric columns about unit scale,
 * categories one-hot at 0 or 1/√2): the shape where a k-d tree stops pruning. Each row's planted
 * segment shifts its numeric means and prefers one level of every categorical column.
 */
export function wideCustomers(options: WideCustomersOptions): { matrix: FeatureMatrix; truth: Int32Array } {
  const { n, seed, numeric = 3, categorical = 16, segments = 4, purity = 0.7 } = options;
  checkParam(Number.isInteger(n) && n >= 1, "n", n, "an integer ≥ 1");
  checkParam(Number.isInteger(segments) && segments >= 1, "segments", segments, "an integer ≥ 1");
  const rng = new Rng(seed);
  const levels = Array.from({ length: categorical }, () => 2 + rng.int(3));
  const means = Array.from({ length: segments * numeric }, () => 1.5 * rng.normal());
  const preferred = Array.from({ length: segments }, () => levels.map((l) => rng.int(l)));
  const names = Array.from({ length: numeric }, (_, j) => `x${j + 1}`);
  levels.forEach((l, j) => names.push(...Array.from({ length: l }, (_, v) => `c${j + 1}=v${v}`)));
  const d = names.length;
  const data = new Float64Array(n * d);
  const truth = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const s = (truth[i] = rng.int(segments));
    let o = i * d;
    for (let j = 0; j < numeric; j++) data[o++] = means[s * numeric + j] + rng.normal();
    levels.forEach((l, j) => {
      const level = rng.random() < purity ? preferred[s][j] : rng.int(l);
      data[o + level] = 1 / Math.SQRT2;
      o += l;
    });
  }
  return { matrix: { names, n, d, data }, truth };
}
