/**
 * All external metrics (segments vs. known labels) in one call. Segment labels are compared
 * only through the partition they induce: renaming labels changes no score. DBSCAN noise (-1)
 * counts as one more predicted group — noise rows that all share a true label look like a
 * homogeneous segment; exclude them beforehand to score only the clustered rows.
 */
import { adjustedRandIndex, randIndex } from "./ari.ts";
import { contingencyTable, type Contingency } from "./contingency.ts";
import type { LabelValue } from "./labels.ts";
import { matchedAccuracy, type MatchedAccuracy } from "./matchedAccuracy.ts";
import { homogeneityCompletenessV, normalizedMutualInfo } from "./mutualInfo.ts";
import { purity } from "./purity.ts";

export interface ExternalMetrics {
  /** Adjusted Rand index, ≤ 1, ~0 for chance (sklearn adjusted_rand_score). */
  ari: number;
  /** Rand index, 0..1 (sklearn rand_score). */
  randIndex: number;
  /** Normalised mutual information, arithmetic mean (sklearn normalized_mutual_info_score). */
  nmi: number;
  homogeneity: number;
  completeness: number;
  /** V-measure, beta = 1 (equals NMI with arithmetic normalisation). */
  vMeasure: number;
  purity: number;
  matchedAccuracy: number;
  /** Which label each segment was matched to for matchedAccuracy. */
  matching: MatchedAccuracy["matching"];
  /** Rows = predicted segments (noise -1 included), columns = true labels. */
  contingency: Contingency;
}

export function externalMetrics(labelsTrue: ArrayLike<LabelValue>, labelsPred: ArrayLike<number>): ExternalMetrics {
  const contingency = contingencyTable(labelsPred, labelsTrue);
  const hcv = homogeneityCompletenessV(contingency);
  const matched = matchedAccuracy(contingency);
  return {
    ari: adjustedRandIndex(contingency),
    randIndex: randIndex(contingency),
    nmi: normalizedMutualInfo(contingency),
    homogeneity: hcv.homogeneity,
    completeness: hcv.completeness,
    vMeasure: hcv.vMeasure,
    purity: purity(contingency),
    matchedAccuracy: matched.accuracy,
    matching: matched.matching,
    contingency
  };
}
