/**
 * Outcome rates per segment with Wilson score intervals. The Wilson interval stays inside
 * [0, 1] and keeps close to its nominal coverage for small segments and rates near 0 or 1,
 * where the textbook p ± z·√(p(1−p)/n) collapses to a point (statsmodels
 * proportion_confint(method="wilson") computes the same interval).
 */
import { WorkbenchError } from "../errors.ts";

/** The standard normal's 97.5 % quantile (scipy.stats.norm.ppf(0.975)): a 95 % interval. */
export const Z95 = 1.959963984540054;

export interface Interval {
  low: number;
  high: number;
}

/**
 * Wilson score interval for `positives` successes in `n` trials:
 * (p + z²/2n ± z·√(p(1−p)/n + z²/4n²)) / (1 + z²/n). Throws for n = 0 (no interval exists).
 */
export function wilsonInterval(positives: number, n: number, z = Z95): Interval {
  if (!Number.isInteger(n) || n < 1 || !Number.isInteger(positives) || positives < 0 || positives > n) {
    throw new WorkbenchError("a Wilson interval needs 0 ≤ positives ≤ n and n ≥ 1", {
      found: `${positives} of ${n}`,
      expected: "whole numbers with 0 ≤ positives ≤ n, n ≥ 1"
    });
  }
  const p = positives / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denominator;
  // At p = 0 or 1 the bound is 0 or 1 mathematically; don't let rounding leave 1e-17.
  return { low: positives === 0 ? 0 : Math.max(0, centre - half), high: positives === n ? 1 : Math.min(1, centre + half) };
}

export interface OutcomeRate {
  /** Customers in the group. */
  n: number;
  /** Those with a positive outcome. */
  positives: number;
  /** positives / n; null for an empty group. */
  rate: number | null;
  /** Wilson 95 % interval of the rate; null for an empty group. */
  low: number | null;
  high: number | null;
  /** rate / base rate (1 = as the whole customer base); null for an empty group or a zero base rate. */
  lift: number | null;
}

export interface SegmentOutcome extends OutcomeRate {
  /** Segment number as in the labels (0..k-1). */
  segment: number;
}

export interface SegmentOutcomes {
  /** All customers, noise included. */
  n: number;
  positives: number;
  /** positives / n over all customers: the rate lift is measured against. */
  baseRate: number;
  /** Wilson 95 % interval of the base rate. */
  baseLow: number;
  baseHigh: number;
  /** One entry per segment 0..k-1, in segment order (empty segments included, with nulls). */
  segments: SegmentOutcome[];
  /** Customers labelled -1 (DBSCAN noise), or null when there are none. */
  noise: OutcomeRate | null;
}

/**
 * Outcome rate, Wilson interval and lift over the base rate per segment. `labels[i]` is
 * customer i's segment in 0..k-1 or -1 for noise; `y[i]` is 1 for a positive outcome, else 0.
 */
export function segmentOutcomes(labels: Int32Array, y: ArrayLike<number>, k: number): SegmentOutcomes {
  if (!Number.isInteger(k) || k < 1) {
    throw new WorkbenchError("invalid parameter k", { found: String(k), expected: "an integer ≥ 1 (the number of segments)" });
  }
  if (labels.length !== y.length) {
    throw new WorkbenchError("segment labels and outcomes have different lengths", {
      found: `${labels.length} and ${y.length}`,
      expected: "one outcome per labelled customer"
    });
  }
  const n = labels.length;
  if (n === 0) throw new WorkbenchError("no customers to compute outcome rates for");
  const size = new Float64Array(k + 1); // slot k holds noise
  const hits = new Float64Array(k + 1);
  for (let i = 0; i < n; i++) {
    const s = labels[i];
    if (!(s === -1 || (s >= 0 && s < k))) {
      throw new WorkbenchError(`segment label of customer ${i + 1} is out of range`, {
        found: String(s),
        expected: `0..${k - 1}, or -1 for noise`
      });
    }
    if (y[i] !== 0 && y[i] !== 1) {
      throw new WorkbenchError(`outcome of customer ${i + 1} is not 0 or 1`, { found: String(y[i]), expected: "0 or 1" });
    }
    const slot = s === -1 ? k : s;
    size[slot]++;
    hits[slot] += y[i];
  }
  let positives = 0;
  for (let s = 0; s <= k; s++) positives += hits[s];
  const baseRate = positives / n;
  const base = wilsonInterval(positives, n);
  const rateOf = (count: number, pos: number): OutcomeRate => {
    if (count === 0) return { n: 0, positives: 0, rate: null, low: null, high: null, lift: null };
    const rate = pos / count;
    const { low, high } = wilsonInterval(pos, count);
    return { n: count, positives: pos, rate, low, high, lift: baseRate > 0 ? rate / baseRate : null };
  };
  const segments = Array.from({ length: k }, (_, s) => ({ segment: s, ...rateOf(size[s], hits[s]) }));
  return {
    n,
    positives,
    baseRate,
    baseLow: base.low,
    baseHigh: base.high,
    segments,
    noise: size[k] > 0 ? rateOf(size[k], hits[k]) : null
  };
}
