import { externalMetrics } from "../evaluate/external.ts";
import { DISSOLVED, STABLE } from "../evaluate/stability.ts";
import type { Evaluation } from "../evaluate/classification.ts";
import type { Analysis } from "./analyze.ts";
import { relabel, sigDeep, thinSilhouette } from "./display.ts";

/** Silhouette bars on the evaluation page. */
export const SILHOUETTE_BARS = 3000;

const evaluation = (e: Evaluation) => sigDeep({ confusion: e.confusion, metrics: e.metrics });

/** Evaluation page: silhouettes, confusion matrices, re-labelling candidates, stability. */
export function evaluationFile(a: Analysis) {
  const { segmentation: s, gold, rules, predictability, stability, data } = a;
  const sil = s.run.silhouette;
  const { rank } = s;
  const label = data.prepared.label;
  const external = label ? externalMetrics(label, s.labels) : null;
  return {
    runId: s.run.id,
    names: s.names,
    silhouette: {
      mean: s.run.metrics.silhouette,
      reason: sil.reason ?? null,
      sampled: sil.sampled,
      evaluated: sil.sampleSize,
      perSegment: sil.perSegment.map((p) => ({ ...sigDeep(p), segment: rank[p.label] })).sort((x, y) => x.segment - y.segment),
      bars: thinSilhouette(relabel(sil.samples.label, rank), sil.samples.value, SILHOUETTE_BARS)
    },
    labelColumn: Object.entries(data.entry.columns).find(([, role]) => role === "label")?.[0] ?? null,
    goldSkipped: a.goldSkipped,
    external: external
      ? sigDeep({
          ari: external.ari,
          nmi: external.nmi,
          homogeneity: external.homogeneity,
          completeness: external.completeness,
          vMeasure: external.vMeasure,
          purity: external.purity,
          matchedAccuracy: external.matchedAccuracy,
          contingency: external.contingency
        })
      : null,
    gold: gold
      ? {
          classes: gold.classes,
          folds: gold.folds,
          n: gold.nUsed,
          notes: gold.notes,
          baseline: sigDeep(gold.baseline),
          cart: { maxDepth: gold.cart.maxDepth, pooled: evaluation(gold.cart.pooled), importance: sigDeep(gold.cart.importance) },
          forest: { nEstimators: gold.forest.nEstimators, pooled: evaluation(gold.forest.pooled), importance: sigDeep(gold.forest.importance) },
          holdout: { testShare: gold.holdout.testShare, nTest: gold.holdout.nTest, forest: evaluation(gold.holdout.forest) },
          relabel: sigDeep(gold.relabel.slice(0, 50)),
          relabelCount: gold.relabelCount
        }
      : null,
    rules: { maxDepth: rules.maxDepth, fidelity: evaluation(rules.fidelity), notes: rules.notes, importance: sigDeep(rules.importance) },
    predictability: predictability
      ? { folds: predictability.folds, nEstimators: predictability.nEstimators, n: predictability.nUsed, notes: predictability.notes, pooled: evaluation(predictability.pooled) }
      : null,
    stability: {
      /** clusterboot's thresholds: above `stable` a segment is solid, at or below `dissolved` it dissolves. */
      stable: STABLE,
      dissolved: DISSOLVED,
      B: stability.B,
      n: stability.nUsed,
      notes: stability.notes,
      meanJaccard: sigDeep(stability.meanJaccard),
      segments: stability.segments.map((seg) => sigDeep({ segment: seg.segment, name: s.names[seg.segment], meanJaccard: seg.meanJaccard, stableShare: seg.stableShare, dissolvedShare: seg.dissolvedShare, resamples: seg.resamples }))
    }
  };
}
