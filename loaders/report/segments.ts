import { ALL_SEGMENT_NAMES } from "../features/rfmScores.ts";
import { Rng } from "../rng.ts";
import type { Analysis } from "./analyze.ts";
import { sig, sigDeep } from "./display.ts";
import { segmentWorth } from "./value.ts";

/** Points drawn in scatter plots. */
export const SCATTER_POINTS = 3000;

/** The seeded sample of rows drawn in every scatter plot of a dataset. */
export function scatterRows(a: Analysis): Int32Array {
  return new Rng(a.entry.experiment.seed).sampleIndices(a.segmentation.labels.length, SCATTER_POINTS);
}

/** Segments page: a card per segment, the heatmap of standardized differences, the PCA scatter. */
export function segmentsFile(a: Analysis) {
  const { segmentation: s, data, projection, rules } = a;
  const n = s.labels.length;
  const rows = scatterRows(a);
  const rfm = data.rfm;
  const rfmProfile = (segment: number) => {
    if (!rfm) return null;
    const names = new Map<string, number>();
    let r = 0, f = 0, m = 0, count = 0;
    s.labels.forEach((l, i) => {
      if (l !== segment) return;
      count++;
      r += rfm.r[i];
      f += rfm.f[i];
      m += rfm.m[i];
      names.set(rfm.segment[i], (names.get(rfm.segment[i]) ?? 0) + 1);
    });
    return {
      meanR: sig(r / count, 3),
      meanF: sig(f / count, 3),
      meanM: sig(m / count, 3),
      rfmSegments: ALL_SEGMENT_NAMES.filter((x) => names.has(x)).map((x) => ({ name: x, count: names.get(x)! }))
    };
  };
  return {
    segments: s.names.map((name, i) => ({
      segment: i,
      name,
      size: s.sizes[i],
      share: s.sizes[i] / n,
      action: s.actions[i],
      profile: sigDeep(s.profiles[i], 4),
      rules: rules.segments.find((r) => r.segment === name)?.rules ?? [],
      rfm: rfmProfile(i),
      ...segmentWorth(a, i)
    })),
    noise: s.run.metrics.noise,
    rulesFidelity: sigDeep(rules.fidelity.metrics.accuracy),
    rulesDepth: rules.maxDepth,
    scatter: {
      x: Array.from(rows, (i) => sig(projection.coordinates[2 * i])),
      y: Array.from(rows, (i) => sig(projection.coordinates[2 * i + 1])),
      segment: Array.from(rows, (i) => s.labels[i]),
      shown: rows.length,
      of: n,
      explainedVariance: projection.explainedVariance.map((v) => sig(v, 3))
    }
  };
}
