import { ALL_SEGMENT_NAMES } from "../features/rfmScores.ts";
import { Rng } from "../rng.ts";
import type { Analysis } from "./analyze.ts";
import { sig, sigDeep } from "./display.ts";
import { segmentWorth } from "./value.ts";
import type { SegmentsFile } from "./contract.ts";
import { MIN_Z } from "../profile/personas.ts";
import type { FeatureProfile } from "../profile/profile.ts";
import { featureWords } from "../profile/wording.ts";
import { umap2d } from "../project/umap.ts";
import { shareProgress } from "../experiment/progress.ts";
import { behaviourJson } from "./personas.ts";

/** Points drawn in scatter plots. */
export const SCATTER_POINTS = 3000;

/** The seeded sample of rows drawn in every scatter plot of a dataset. */
export function scatterRows(a: Analysis): Int32Array {
  return new Rng(a.entry.experiment.seed).sampleIndices(a.segmentation.labels.length, SCATTER_POINTS);
}

/** Behaviours a segment card lists; features the heatmap and the parallel coordinates show. */
export const CARD_BEHAVIOURS = 4;
export const HEATMAP_FEATURES = 30;
export const PARALLEL_FEATURES = 12;
/** Customers drawn faintly behind the segment lines, and the |z| their lines are clipped at. */
export const PARALLEL_CUSTOMERS = 300;
export const PARALLEL_CLIP = 3;

/** Segments page: a card per segment, the heatmap of standardized differences, the PCA scatter. */
export function segmentsFile(a: Analysis, { progress }: { progress?: (message: string) => void } = {}): SegmentsFile {
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
  const words = featureWording(a);
  const shown = distinctFeatures(s.profiles);
  return {
    minZ: MIN_Z,
    cardBehaviours: CARD_BEHAVIOURS,
    heatmapFeatures: HEATMAP_FEATURES,
    segments: s.names.map((name, i) => ({
      segment: i,
      name,
      size: s.sizes[i],
      share: s.sizes[i] / n,
      action: s.actions[i],
      profile: s.profiles[i].filter((_, j) => shown[j]).map((p) => ({ feature: p.feature, ...words(p.feature), mean: sig(p.mean, 6), overall: sig(p.overall, 6), z: sig(p.z, 4) })),
      behaviours: s.personas[i].behaviours.slice(0, CARD_BEHAVIOURS).map(behaviourJson),
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
      explainedVariance: projection.explainedVariance.map((v) => sig(v, 3)),
      umap: umapMap(a, rows, shareProgress("UMAP map", progress))
    },
    parallel: parallelCoordinates(a, rows, shown)
  };
}

/**
 * Which profile features to show: one of each set of features with the same segment means (one
 * customer set coded twice, e.g. InternetService=No and DeviceProtection=No internet service),
 * so no picture spends rows or axes on a copy.
 */
function distinctFeatures(profiles: FeatureProfile[][]): boolean[] {
  const seen = new Set<string>();
  return profiles[0].map((_, j) => {
    const key = profiles.map((seg) => `${seg[j].mean.toPrecision(8)}|${seg[j].overall.toPrecision(8)}`).join(";");
    return !seen.has(key) && (seen.add(key), true);
  });
}

/** A seeded UMAP of the scatter's customers, or null with fewer than 4 (too few for a map). */
function umapMap(a: Analysis, rows: Int32Array, progress?: (fraction: number) => void): SegmentsFile["scatter"]["umap"] {
  const map = umap2d(a.data.prepared.matrix, rows, a.entry.experiment.seed, { progress });
  if (!map.nEpochs) return null;
  return {
    x: Array.from(rows, (_, k) => sig(map.coordinates[2 * k])),
    y: Array.from(rows, (_, k) => sig(map.coordinates[2 * k + 1])),
    nNeighbors: map.nNeighbors,
    minDist: map.minDist
  };
}

/** Each profile feature's words and whether its means are shares (one-hot categories). */
function featureWording({ segmentation: s }: Analysis): (feature: string) => { words: string; share: boolean } {
  return (feature) => featureWords(feature, s.oneHot, s.display, s.binary);
}

/**
 * Parallel coordinates of segment profiles: the PARALLEL_FEATURES features whose segment means
 * differ most (largest |z| in any segment), each segment's standardized mean on them, and a faint
 * sample of customers' standardized values (clipped at ±PARALLEL_CLIP so outliers do not flatten
 * the picture).
 */
function parallelCoordinates(a: Analysis, rows: Int32Array, shown: boolean[]): SegmentsFile["parallel"] {
  const s = a.segmentation;
  const profiles = s.profiles;
  const features = profiles[0]
    .map((p, j) => ({ j, spread: Math.max(...profiles.map((seg) => Math.abs(seg[j].z))) }))
    .filter((f) => f.spread > 0 && shown[f.j])
    .sort((x, y) => y.spread - x.spread || x.j - y.j)
    .slice(0, PARALLEL_FEATURES)
    .map((f) => f.j);
  const m = s.profileMatrix;
  const stats = features.map((j) => {
    let sum = 0, sq = 0, c = 0;
    for (let i = 0; i < m.n; i++) {
      const x = m.data[i * m.d + j];
      if (Number.isNaN(x)) continue;
      sum += x;
      sq += x * x;
      c++;
    }
    const mean = sum / c;
    return { mean, sd: Math.sqrt(Math.max(0, sq / c - mean * mean)) || 1 };
  });
  const sample = rows.slice(0, PARALLEL_CUSTOMERS);
  const clip = (z: number) => sig(Math.max(-PARALLEL_CLIP, Math.min(PARALLEL_CLIP, z)), 3);
  return {
    features: features.map((j) => profiles[0][j].feature),
    segments: profiles.map((seg, segment) => ({ segment, z: features.map((j) => sig(seg[j].z, 3)) })),
    customers: {
      segment: Array.from(sample, (i) => s.labels[i]),
      z: Array.from(sample, (i) => features.map((j, f) => {
        const x = m.data[i * m.d + j];
        return Number.isNaN(x) ? 0 : clip((x - stats[f].mean) / stats[f].sd);
      }))
    },
    clip: PARALLEL_CLIP
  };
}
