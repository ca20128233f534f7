import { clusterers } from "../cluster/index.ts";
import { stability, type StabilityResult } from "../evaluate/stability.ts";
import type { FeatureMatrix } from "../matrix.ts";
import { Rng } from "../rng.ts";
import { runSeed } from "./grid.ts";
import type { RunRecord } from "./runner.ts";
import { shareProgress } from "./progress.ts";

/**
 * Customers a stability check resamples: a seeded subsample above it. Ward refits cost O(n²):
 * at 5,000 rows twenty of them took 17 s on CDNOW, at 2,000 about 3 s, and a segment of 3% still
 * has 60 customers in every resample.
 */
export const STABILITY_ROWS = 2000;

/**
 * Bootstrap stability of one run: the same algorithm and parameters refitted on resamples. Seeded
 * by (experiment seed, run id), so the recommendation's check and the report's figure are the
 * same numbers whichever computes them first.
 */
export function runStability(
  matrix: FeatureMatrix,
  run: Pick<RunRecord, "id" | "algorithm" | "params" | "labels">,
  seed: number,
  progress?: (message: string) => void
): StabilityResult {
  const clusterer = clusterers[run.algorithm];
  const refit = (m: FeatureMatrix, rng: Rng) => clusterer.fit(m, run.params, rng).labels;
  return stability(matrix, run.labels, refit, {
    rng: new Rng(runSeed(seed, `${run.id} stability`)),
    maxRows: STABILITY_ROWS,
    progress: shareProgress(`stability of ${run.id}`, progress)
  });
}
