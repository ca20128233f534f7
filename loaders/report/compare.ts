import { agreement } from "../evaluate/agreement.ts";
import { algorithmSpec } from "../registry/algorithms.ts";
import { metricColumns } from "../registry/metrics.ts";
import { kneedle } from "../evaluate/knee.ts";
import { orderBySize } from "../profile/order.ts";
import type { Analysis } from "./analyze.ts";
import { relabel, sig, sigDeep, thinSilhouette } from "./display.ts";
import { scatterRows } from "./segments.ts";

/** Grids up to this many runs get the agreement of every pair (~0.6 MB of JSON at 32 runs). */
export const MAX_ALL_PAIRS = 40;

/** Silhouette bars per run on the compare page. */
export const COMPARE_SILHOUETTE_BARS = 1000;

/** Runs of one algorithm family (e.g. "kmeans", "gmm full", "hierarchical ward"). */
export function familyOf(id: string): string {
  return id.replace(/ (k|eps)=.*$/, "");
}

/** Compare page: metric curves, every run's metrics, per-run pictures, agreement between runs. */
export function compareFile(a: Analysis) {
  const { experiment, projection } = a;
  const rows = scatterRows(a);
  const orderedRuns = experiment.runs.map((run) => orderBySize(run.labels, run.k));
  const runs = experiment.runs.map((run, r) => {
    const ordered = orderedRuns[r];
    const sil = run.silhouette.samples;
    return {
      id: run.id,
      family: familyOf(run.id),
      algorithm: run.algorithm,
      /** What the run's metric curve is drawn against: its k, or its eps (density clustering). */
      xAxis: algorithmSpec(run.algorithm).xAxis,
      params: run.params,
      k: run.k,
      seconds: sig(run.seconds, 3),
      metrics: sigDeep(run.metrics),
      notes: run.notes,
      sizes: ordered.sizes,
      scatterSegment: Array.from(rows, (i) => ordered.labels[i]),
      silhouette: { ...thinSilhouette(relabel(sil.label, ordered.rank), sil.value, COMPARE_SILHOUETTE_BARS), sampled: run.silhouette.sampled, evaluated: run.silhouette.sampleSize }
    };
  });
  const families = [...new Set(runs.map((r) => r.family))];
  const metrics = metricColumns(experiment.runs);
  const knees = Object.fromEntries(
    families.map((f) => {
      // Kneedle needs strictly increasing x: one run per k, in order (a grid may repeat or shuffle k).
      const byK = new Map(runs.filter((r) => r.family === f && r.xAxis === "k").map((r) => [r.k, r]));
      const fr = [...byK.values()].sort((a, b) => a.k - b.k);
      if (fr.length < 3) return [f, null];
      const knee = kneedle(fr.map((r) => r.k), fr.map((r) => r.metrics.inertia), { curve: "convex", direction: "decreasing" });
      return [f, knee == null ? null : fr.find((r) => r.k === knee)!.id];
    })
  );
  // Every pair of runs up to MAX_ALL_PAIRS runs (the page size grows with the square of the grid);
  // above that, the pairs that include the recommended run.
  const all = experiment.runs.length <= MAX_ALL_PAIRS;
  const recommendedIndex = experiment.runs.findIndex((r) => r.id === experiment.recommendation.runId);
  const pairs = [];
  for (let i = 0; i < experiment.runs.length; i++) {
    for (let j = i + 1; j < experiment.runs.length; j++) {
      if (!all && i !== recommendedIndex && j !== recommendedIndex) continue;
      const ag = agreement(orderedRuns[i].labels, orderedRuns[j].labels);
      pairs.push({ a: experiment.runs[i].id, b: experiment.runs[j].id, ari: sig(ag.ari, 4), rows: ag.contingency.rowLabels, cols: ag.contingency.colLabels, counts: ag.contingency.counts });
    }
  }
  return {
    recommended: experiment.recommendation.runId,
    rule: experiment.recommendation.rule,
    knees,
    epsSuggestion: experiment.epsSuggestion ? sigDeep(experiment.epsSuggestion, 4) : null,
    scatter: {
      x: Array.from(rows, (i) => sig(projection.coordinates[2 * i])),
      y: Array.from(rows, (i) => sig(projection.coordinates[2 * i + 1])),
      shown: rows.length,
      of: a.segmentation.labels.length
    },
    runs,
    /** The run table's metric columns, from the metric registry. */
    metrics,
    allPairs: all,
    agreement: pairs
  };
}
