/**
 * Information-theoretic scores as scikit-learn computes them (natural log): mutual_info_score,
 * entropy, normalized_mutual_info_score (arithmetic mean normalisation, the default),
 * homogeneity_completeness_v_measure (beta = 1). "Truth" is the contingency's columns and
 * "prediction" its rows. Edge cases follow scikit-learn line by line (see each function).
 */
import type { Contingency } from "./contingency.ts";

/** Entropy of a labeling from its group sizes (scikit-learn's `entropy`: 1.0 for no rows, 0 for one group). */
export function entropyOfSizes(sizes: number[]): number {
  const nonzero = sizes.filter((s) => s > 0);
  if (sizes.length === 0) return 1;
  if (nonzero.length === 1) return 0;
  const total = nonzero.reduce((a, b) => a + b, 0);
  const logTotal = Math.log(total);
  let h = 0;
  for (const s of nonzero) h -= (s / total) * (Math.log(s) - logTotal);
  return h;
}

/** Mutual information of the two labelings (scikit-learn's mutual_info_score from a contingency). */
export function mutualInformation(c: Contingency): number {
  // One group on either side means zero entropy there, hence MI = 0.
  if (c.rowTotals.length === 1 || c.colTotals.length === 1) return 0;
  const total = c.n;
  const logTotal = Math.log(total);
  let mi = 0;
  for (let r = 0; r < c.counts.length; r++) {
    const row = c.counts[r];
    for (let k = 0; k < row.length; k++) {
      const v = row[k];
      if (v === 0) continue;
      const pnm = v / total;
      const logOuter = -Math.log(c.rowTotals[r] * c.colTotals[k]) + logTotal + logTotal;
      const term = pnm * (Math.log(v) - logTotal) + pnm * logOuter;
      // scikit-learn zeroes terms below machine epsilon before summing.
      if (Math.abs(term) >= Number.EPSILON) mi += term;
    }
  }
  return Math.max(mi, 0);
}

/** NMI with arithmetic normalisation: MI / ((H(truth) + H(pred)) / 2). */
export function normalizedMutualInfo(c: Contingency): number {
  const classes = c.colTotals.length;
  const clusters = c.rowTotals.length;
  // Both labelings unsplit (one group each), or both empty: a perfect match.
  if ((classes === 1 && clusters === 1) || (classes === 0 && clusters === 0)) return 1;
  const mi = mutualInformation(c);
  if (mi === 0) return 0;
  const hTrue = entropyOfSizes(c.colTotals);
  const hPred = entropyOfSizes(c.rowTotals);
  return mi / ((hTrue + hPred) / 2);
}

/**
 * Homogeneity (each segment holds one true class), completeness (each class in one segment)
 * and their harmonic mean, the V-measure. All 1.0 for no rows; a zero entropy gives 1.0.
 */
export function homogeneityCompletenessV(c: Contingency): {
  homogeneity: number;
  completeness: number;
  vMeasure: number;
} {
  if (c.n === 0) return { homogeneity: 1, completeness: 1, vMeasure: 1 };
  const hTrue = entropyOfSizes(c.colTotals);
  const hPred = entropyOfSizes(c.rowTotals);
  const mi = mutualInformation(c);
  const homogeneity = hTrue ? mi / hTrue : 1;
  const completeness = hPred ? mi / hPred : 1;
  const vMeasure =
    homogeneity + completeness === 0 ? 0 : (2 * homogeneity * completeness) / (homogeneity + completeness);
  return { homogeneity, completeness, vMeasure };
}
