/**
 * Segment stability by bootstrap, after Hennig's clusterboot (R fpc::clusterboot, bootmethod
 * "boot"): draw n rows with replacement, re-run the same clustering on them, and for every
 * original segment take the best Jaccard similarity with any bootstrap cluster, both compared
 * on the distinct rows drawn. A segment that keeps turning up (mean Jaccard near 1) is real
 * structure; one that dissolves (Jaccard ≤ 0.5) is likely an artefact of the method or seed.
 *
 * Noise (label -1) is not a segment: it is never scored, and bootstrap noise matches nothing.
 * A segment with no row in a resample is skipped for that resample (clusterboot would score it
 * 0); `resamples` says how many resamples scored it.
 */
import { checkParam, WorkbenchError } from "../errors.ts";
import { selectRows, type FeatureMatrix } from "../matrix.ts";
import { Rng } from "../rng.ts";
import { NOISE } from "./labels.ts";

export interface StabilityOptions {
  rng: Rng;
  /** Bootstrap resamples; default 20. */
  B?: number;
  /** Above this many rows, bootstrap a seeded uniform subsample of this size; default 5,000. */
  maxRows?: number;
  /** Told the share of resamples done after each one. */
  progress?: (fraction: number) => void;
  /** Computes the refits (a grid's helper thread shares them); by default `refit`, one by one. */
  mapRefits?: RefitMap;
}

/**
 * The refits of a bootstrap: labels of the rows `samples[b]` of `base`, the clustering seeded by
 * `seeds[b]`, in resample order; `done` is told after each.
 */
export type RefitMap = (base: FeatureMatrix, samples: Int32Array[], seeds: number[], done: () => void) => Int32Array[];

export interface SegmentStability {
  /** The original segment label. */
  segment: number;
  /** Rows in the segment (within the rows bootstrapped). */
  size: number;
  /** Mean over resamples of the best Jaccard similarity with a bootstrap cluster. */
  meanJaccard: number;
  /** Share of resamples with Jaccard > 0.75 (clusterboot's "recovered"). */
  stableShare: number;
  /** Share of resamples with Jaccard ≤ 0.5 (clusterboot's "dissolved"). */
  dissolvedShare: number;
  /** Resamples in which the segment had rows. */
  resamples: number;
  /** The best Jaccard of each scored resample, in resample order. */
  jaccards: number[];
}

export interface StabilityResult {
  B: number;
  /** Rows given. */
  n: number;
  /** Rows the resamples were drawn from. */
  nUsed: number;
  subsampled: boolean;
  notes: string[];
  /** One entry per segment, in ascending label order. */
  segments: SegmentStability[];
  /** Unweighted mean of the segments' mean Jaccard. */
  meanJaccard: number;
}

/** Jaccard above this counts as recovered, at or below `DISSOLVED` as dissolved (clusterboot's defaults). */
export const STABLE = 0.75;
export const DISSOLVED = 0.5;

export function stability(
  matrix: FeatureMatrix,
  labels: Int32Array,
  refit: (m: FeatureMatrix, rng: Rng) => Int32Array,
  options: StabilityOptions
): StabilityResult {
  const B = options.B ?? 20;
  const maxRows = options.maxRows ?? 5000;
  checkParam(Number.isInteger(B) && B >= 1, "B", B, "an integer ≥ 1");
  checkParam(Number.isInteger(maxRows) && maxRows >= 2, "maxRows", maxRows, "an integer ≥ 2");
  if (labels.length !== matrix.n) {
    throw new WorkbenchError("labels and features have different numbers of rows", {
      found: `${labels.length} labels for ${matrix.n} rows`,
      expected: "one label per row"
    });
  }
  const rng = options.rng;
  const notes: string[] = [];
  let base = matrix;
  let original = labels;
  if (matrix.n > maxRows) {
    const keep = rng.fork().sampleIndices(matrix.n, maxRows);
    base = selectRows(matrix, keep);
    original = Int32Array.from(keep, (i) => labels[i]);
    notes.push(`bootstrapped a seeded random subsample of ${maxRows} of ${matrix.n} rows (maxRows = ${maxRows}); segments are the original labels of those rows`);
  }
  const n = base.n;
  const segmentLabels = [...new Set(original)].filter((l) => l !== NOISE).sort((a, b) => a - b);
  if (segmentLabels.length === 0) throw new WorkbenchError("stability needs at least one segment; every row is noise");
  const jaccards = segmentLabels.map(() => [] as number[]);

  // Every resample and its seed first (the generator's order as one refit after another), so
  // the refits can run anywhere.
  const samples: Int32Array[] = [];
  const seeds: number[] = [];
  for (let b = 0; b < B; b++) {
    const r = rng.fork();
    const sample = new Int32Array(n);
    for (let i = 0; i < n; i++) sample[i] = r.int(n);
    samples.push(sample);
    seeds.push(r.uint32()); // what r.fork() seeds its generator with
  }
  let finished = 0;
  const oneByOne: RefitMap = (m, picks, seedOf, done) =>
    picks.map((sample, b) => {
      const fitted = refit(selectRows(m, sample), new Rng(seedOf[b]));
      done();
      return fitted;
    });
  const refits = (options.mapRefits ?? oneByOne)(base, samples, seeds, () => options.progress?.(++finished / B));

  const drawn = new Uint8Array(n);
  const bootLabel = new Int32Array(n);
  for (let b = 0; b < B; b++) {
    const sample = samples[b];
    const fitted = refits[b];
    if (fitted.length !== n) {
      throw new WorkbenchError("the refit function returned the wrong number of labels", {
        found: String(fitted.length),
        expected: `${n}, one per resampled row`
      });
    }
    // Duplicates of a row are one row here; the first copy's label stands for it.
    drawn.fill(0);
    for (let i = 0; i < n; i++) {
      if (!drawn[sample[i]]) {
        drawn[sample[i]] = 1;
        bootLabel[sample[i]] = fitted[i];
      }
    }
    scoreResample(original, drawn, bootLabel, segmentLabels, jaccards);
  }

  const segments = segmentLabels.map((segment, s) => {
    const js = jaccards[s];
    const mean = (xs: number[]) => (xs.length ? xs.reduce((a, v) => a + v, 0) / xs.length : 0);
    return {
      segment,
      size: original.filter((l) => l === segment).length,
      meanJaccard: mean(js),
      stableShare: mean(js.map((j) => (j > STABLE ? 1 : 0))),
      dissolvedShare: mean(js.map((j) => (j <= DISSOLVED ? 1 : 0))),
      resamples: js.length,
      jaccards: js
    };
  });
  const unscored = segments.filter((s) => s.resamples < B).map((s) => s.segment);
  if (unscored.length) notes.push(`segments ${unscored.join(", ")} were missing from some resamples and scored on the rest`);
  return {
    B,
    n: matrix.n,
    nUsed: n,
    subsampled: n < matrix.n,
    notes,
    segments,
    meanJaccard: segments.reduce((a, s) => a + s.meanJaccard, 0) / segments.length
  };
}

/** Best Jaccard per original segment against the bootstrap clusters, on the drawn rows. */
function scoreResample(
  original: Int32Array,
  drawn: Uint8Array,
  bootLabel: Int32Array,
  segmentLabels: number[],
  jaccards: number[][]
): void {
  const segIndex = new Map(segmentLabels.map((l, s) => [l, s]));
  // Contingency of (original segment, bootstrap cluster) over drawn rows; noise on either side is skipped.
  const overlap = new Map<number, Map<number, number>>();
  const segSize = new Array<number>(segmentLabels.length).fill(0);
  const clusterSize = new Map<number, number>();
  for (let i = 0; i < original.length; i++) {
    if (!drawn[i]) continue;
    const c = bootLabel[i];
    if (c !== NOISE) clusterSize.set(c, (clusterSize.get(c) ?? 0) + 1);
    const s = segIndex.get(original[i]);
    if (s === undefined) continue;
    segSize[s]++;
    if (c === NOISE) continue;
    let row = overlap.get(s);
    if (!row) overlap.set(s, (row = new Map()));
    row.set(c, (row.get(c) ?? 0) + 1);
  }
  segmentLabels.forEach((_, s) => {
    if (segSize[s] === 0) return;
    let best = 0;
    for (const [c, both] of overlap.get(s) ?? []) {
      best = Math.max(best, both / (segSize[s] + (clusterSize.get(c) as number) - both));
    }
    jaccards[s].push(best);
  });
}
