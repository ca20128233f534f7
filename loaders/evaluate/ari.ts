/**
 * Pair-counting scores, as sklearn.metrics.rand_score and adjusted_rand_score (≥ 1.2 formula
 * via pair_confusion_matrix). Both are symmetric in the two labelings and ignore label names.
 * Counts of ordered pairs stay exact in doubles up to ~9e7 rows (n² < 2^53).
 */
import type { Contingency } from "./contingency.ts";

/** scikit-learn's pair_confusion_matrix (ordered pairs): [[tn, fp], [fn, tp]]. */
export function pairConfusion(c: Contingency): { tn: number; fp: number; fn: number; tp: number } {
  const n = c.n;
  let sumSquares = 0;
  for (const row of c.counts) for (const v of row) sumSquares += v * v;
  let rowSquares = 0;
  for (const v of c.rowTotals) rowSquares += v * v;
  let colSquares = 0;
  for (const v of c.colTotals) colSquares += v * v;
  const tp = sumSquares - n;
  // Pairs together in the row labeling (predicted) but apart in the column labeling (truth), and vice versa.
  const fp = rowSquares - sumSquares;
  const fn = colSquares - sumSquares;
  const tn = n * n - fp - fn - sumSquares;
  return { tn, fp, fn, tp };
}

/** Rand index: share of pairs on which the labelings agree. 1.0 for n ≤ 1 or identical partitions. */
export function randIndex(c: Contingency): number {
  const { tn, fp, fn, tp } = pairConfusion(c);
  const agree = tn + tp;
  const all = tn + fp + fn + tp;
  if (agree === all || all === 0) return 1;
  return agree / all;
}

/** Adjusted Rand index: Rand index corrected for chance; 1 = identical, ~0 = random, can be negative. */
export function adjustedRandIndex(c: Contingency): number {
  const { tn, fp, fn, tp } = pairConfusion(c);
  if (fn === 0 && fp === 0) return 1;
  return (2 * (tp * tn - fn * fp)) / ((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn));
}
