/**
 * Which way each metric points, for ranking runs and for labelling charts. Ranges:
 * silhouette −1..1; Davies–Bouldin ≥ 0; Calinski–Harabasz ≥ 0; inertia ≥ 0 and always falls
 * as k grows (compare it across k only through the elbow/knee); ARI −0.5..1 (0 = chance);
 * the other external scores 0..1.
 */
export type Direction = "higher" | "lower";

export const METRIC_DIRECTION = {
  inertia: "lower",
  silhouette: "higher",
  daviesBouldin: "lower",
  calinskiHarabasz: "higher",
  ari: "higher",
  randIndex: "higher",
  nmi: "higher",
  homogeneity: "higher",
  completeness: "higher",
  vMeasure: "higher",
  purity: "higher",
  matchedAccuracy: "higher"
} as const satisfies Record<string, Direction>;

export type MetricName = keyof typeof METRIC_DIRECTION;
