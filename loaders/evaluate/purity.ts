/**
 * Purity: each segment votes for its most frequent true label; the share of rows that agree
 * with their segment's vote. 1 when every segment holds one class — so it rewards many small
 * segments (every row its own segment scores 1); read it next to completeness or
 * matchedAccuracy. Not in scikit-learn; defined as 1.0 for no rows, following scikit-learn's
 * convention for the other scores on empty input.
 */
import type { Contingency } from "./contingency.ts";

export function purity(c: Contingency): number {
  if (c.n === 0) return 1;
  let agree = 0;
  for (const row of c.counts) {
    let best = 0;
    for (const v of row) if (v > best) best = v;
    agree += best;
  }
  return agree / c.n;
}
