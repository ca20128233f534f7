/**
 * Population Stability Index of one feature between two snapshots: how far the later
 * ("actual") distribution moved from the earlier ("expected") one, measured on bins fixed by the
 * earlier snapshot so that the yardstick does not move with the data it measures.
 *
 * Bins: the 10 %, 20 %, …, 90 % quantiles of `expected` with numpy's default "linear" method
 * (h = (n−1)·p, interpolate between the neighbours of h), equal edges merged, so a column with
 * many ties gets fewer bins; bins are (−∞, e1], (e1, e2], …, (e_m, +∞). A constant column has
 * the single edge v and the two bins (−∞, v] and (v, +∞).
 *
 * PSI = Σ (a − e)·ln(a / e) over bins, a and e the shares of each side. An empty bin on either
 * side would make a term infinite, so a zero share is replaced by 1e-4 and the shares are then
 * NOT renormalised: the common practice, and it keeps every non-empty bin's share as observed.
 * The reported shares are the observed ones; the floor applies inside the sum only.
 */
import { WorkbenchError } from "../errors.ts";
import { quantileSorted } from "../prepare/stats.ts";

/**
 * Class boundaries after Siddiqi (2006), "Credit Risk Scorecards", Wiley (thresholds going back
 * to Lewis, "An Introduction to Credit Scoring", 1992): below 0.1 no significant change, 0.1 to
 * 0.25 some change worth watching, above 0.25 a major shift. Rules of thumb, not a test.
 */
export const PSI_THRESHOLDS = { moderate: 0.1, major: 0.25 } as const;

/** Share given to an empty bin so that ln(a / e) stays finite. */
export const PSI_FLOOR = 1e-4;

/** Quantile levels of the bin edges (deciles of the earlier snapshot). */
const LEVELS = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => i / 10);

export type PsiClass = "stable" | "moderate" | "major";

export interface PsiResult {
  psi: number;
  /** Number of bins after merging equal edges (edges.length + 1). */
  bins: number;
  /** Inner bin edges, ascending; bin b is (edges[b−1], edges[b]]. */
  edges: number[];
  /** Observed share of the expected (earlier) values in each bin; sums to 1. */
  expected: number[];
  /** Observed share of the actual (later) values in each bin; sums to 1. */
  actual: number[];
  /** Each bin's term (a − e)·ln(a / e) after the floor; they sum to psi. */
  terms: number[];
  /** Values binned on each side (NaN excluded). */
  n: { expected: number; actual: number };
  /** NaN values skipped on each side. */
  missing: { expected: number; actual: number };
  class: PsiClass;
}

export function psiClass(value: number): PsiClass {
  if (value > PSI_THRESHOLDS.major) return "major";
  if (value >= PSI_THRESHOLDS.moderate) return "moderate";
  return "stable";
}

export function psi(expected: ArrayLike<number>, actual: ArrayLike<number>): PsiResult {
  const e = present(expected, "expected");
  const a = present(actual, "actual");
  const sorted = Float64Array.from(e.values).sort();
  const edges: number[] = [];
  for (const p of LEVELS) {
    const q = quantileSorted(sorted, p);
    if (edges.length === 0 || q !== edges[edges.length - 1]) edges.push(q);
  }
  const eShare = shares(e.values, edges);
  const aShare = shares(a.values, edges);
  const terms = eShare.map((s, b) => {
    const es = s === 0 ? PSI_FLOOR : s;
    const as = aShare[b] === 0 ? PSI_FLOOR : aShare[b];
    return (as - es) * Math.log(as / es);
  });
  let total = 0;
  for (const t of terms) total += t;
  return {
    psi: total,
    bins: edges.length + 1,
    edges,
    expected: eShare,
    actual: aShare,
    terms,
    n: { expected: e.values.length, actual: a.values.length },
    missing: { expected: e.missing, actual: a.missing },
    class: psiClass(total)
  };
}

/** The non-NaN values; infinities are refused because no decile bin can describe them. */
function present(values: ArrayLike<number>, what: string): { values: Float64Array; missing: number } {
  const out = new Float64Array(values.length);
  let m = 0;
  let missing = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isNaN(v)) missing++;
    else if (!Number.isFinite(v)) {
      throw new WorkbenchError(`${what} values for the population stability index include an infinite value`, {
        found: `${v} at position ${i}`,
        expected: "finite numbers (NaN is skipped as missing)"
      });
    } else out[m++] = v;
  }
  if (m === 0) {
    throw new WorkbenchError(`no ${what} values to compare for the population stability index`, {
      found: `${values.length} values, ${missing} of them missing`,
      expected: "at least one non-missing value on each side"
    });
  }
  return { values: out.subarray(0, m), missing };
}

/** Share of `values` in each bin (−∞, e1], (e1, e2], …, (e_m, +∞). */
function shares(values: Float64Array, edges: number[]): number[] {
  const counts = new Float64Array(edges.length + 1);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    // First edge ≥ v (bins are closed on the right); at most 9 edges, so a scan is fastest.
    let b = 0;
    while (b < edges.length && v > edges[b]) b++;
    counts[b]++;
  }
  return Array.from(counts, (c) => c / values.length);
}
