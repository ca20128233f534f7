/**
 * Accuracy after the best one-to-one matching of segments to true labels (Hungarian method on
 * the contingency table, maximising matched rows). Segments left without a label (more
 * segments than labels) and labels left without a segment count as wrong. Unlike purity it
 * cannot be inflated by splitting segments. Defined as 1.0 for no rows (scikit-learn's
 * empty-input convention).
 */
import type { Contingency } from "./contingency.ts";
import { hungarian } from "./hungarian.ts";
import type { LabelValue } from "./labels.ts";

export interface MatchedAccuracy {
  accuracy: number;
  /** One entry per segment: the label it was matched to (null if none) and the rows that agree. */
  matching: { segment: LabelValue; label: LabelValue | null; count: number }[];
}

export function matchedAccuracy(c: Contingency): MatchedAccuracy {
  const { rowToCol } = hungarian(c.counts.map((row) => row.map((v) => -v)));
  let agree = 0;
  const matching = c.rowLabels.map((segment, r) => {
    const col = rowToCol[r];
    const count = col < 0 ? 0 : c.counts[r][col];
    agree += count;
    return { segment, label: col < 0 ? null : c.colLabels[col], count };
  });
  return { accuracy: c.n === 0 ? 1 : agree / c.n, matching };
}
