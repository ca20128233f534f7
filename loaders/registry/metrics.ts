/**
 * The metrics of a run, each declared once: which way is better, the values it can take, whether
 * it needs a gold-standard label, and whether the recommendation may rank runs by it. Metric
 * definitions follow scikit-learn's (evaluate/), so users can cross-check.
 */
export interface MetricSpec {
  label: string;
  direction: "higher" | "lower";
  /** Possible values, [low, high]. */
  range: readonly [number, number];
  /** Compares segments with a gold-standard label (external); otherwise computed from the data alone. */
  needsLabels: boolean;
  /** The recommendation may rank runs by it (experiment.recommend.metric). */
  ranksRuns: boolean;
}

export const METRICS = {
  // Falls as k grows: compare across k only through the elbow (knee).
  inertia: { label: "inertia", direction: "lower", range: [0, Infinity], needsLabels: false, ranksRuns: false },
  silhouette: { label: "silhouette", direction: "higher", range: [-1, 1], needsLabels: false, ranksRuns: true },
  daviesBouldin: { label: "Davies–Bouldin", direction: "lower", range: [0, Infinity], needsLabels: false, ranksRuns: true },
  calinskiHarabasz: { label: "Calinski–Harabasz", direction: "higher", range: [0, Infinity], needsLabels: false, ranksRuns: true },
  // Likelihood criteria of models that have one (registry/algorithms.ts modelMetrics).
  bic: { label: "BIC", direction: "lower", range: [-Infinity, Infinity], needsLabels: false, ranksRuns: true },
  aic: { label: "AIC", direction: "lower", range: [-Infinity, Infinity], needsLabels: false, ranksRuns: false },
  logLikelihood: { label: "log-likelihood", direction: "higher", range: [-Infinity, Infinity], needsLabels: false, ranksRuns: false },
  ari: { label: "adjusted Rand", direction: "higher", range: [-0.5, 1], needsLabels: true, ranksRuns: false },
  randIndex: { label: "Rand index", direction: "higher", range: [0, 1], needsLabels: true, ranksRuns: false },
  nmi: { label: "NMI", direction: "higher", range: [0, 1], needsLabels: true, ranksRuns: false },
  homogeneity: { label: "homogeneity", direction: "higher", range: [0, 1], needsLabels: true, ranksRuns: false },
  completeness: { label: "completeness", direction: "higher", range: [0, 1], needsLabels: true, ranksRuns: false },
  vMeasure: { label: "V-measure", direction: "higher", range: [0, 1], needsLabels: true, ranksRuns: false },
  purity: { label: "purity", direction: "higher", range: [0, 1], needsLabels: true, ranksRuns: false },
  matchedAccuracy: { label: "matched accuracy", direction: "higher", range: [0, 1], needsLabels: true, ranksRuns: false }
} as const satisfies Record<string, MetricSpec>;

export type MetricName = keyof typeof METRICS;

/** The metrics the recommendation can rank runs by. */
export type RankingMetric = { [M in MetricName]: (typeof METRICS)[M]["ranksRuns"] extends true ? M : never }[MetricName];
export const RANKING_METRICS = (Object.keys(METRICS) as MetricName[]).filter((m) => METRICS[m].ranksRuns) as RankingMetric[];

/** Table columns of the metrics some run has, in registry order: name, label with its direction, digits. */
export function metricColumns(runs: ReadonlyArray<{ metrics: object }>): Array<{ name: MetricName; label: string; digits: number }> {
  return (Object.keys(METRICS) as MetricName[])
    .filter((name) => runs.some((r) => (r.metrics as Record<string, unknown>)[name] != null))
    .map((name) => {
      const m: MetricSpec = METRICS[name];
      // Bounded scores read at 3 decimals; unbounded sums (inertia, CH, BIC) at 1.
      return { name, label: `${m.label} ${m.direction === "higher" ? "↑" : "↓"}`, digits: Number.isFinite(m.range[1] - m.range[0]) ? 3 : 1 };
    });
}
