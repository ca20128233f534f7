import { clusterers } from "../cluster/index.ts";
import { stability, type RefitMap, type StabilityResult } from "../evaluate/stability.ts";
import { selectRows, type FeatureMatrix } from "../matrix.ts";
import type { GridHelper } from "./gridHelper.ts";
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

/** `run`'s algorithm and parameters refitted on `m`: its labels. */
function refitLabels(run: Pick<RunRecord, "algorithm" | "params">, m: FeatureMatrix, rng: Rng): Int32Array {
  return clusterers[run.algorithm].fit(m, run.params, rng).labels;
}

/** A stability refit on the rows `sample` of `base`, seeded by `seed` (either thread runs this). */
export function refitResample(run: Pick<RunRecord, "algorithm" | "params">, base: FeatureMatrix, sample: Int32Array, seed: number): Int32Array {
  return refitLabels(run, selectRows(base, sample), new Rng(seed));
}

/**
 * Bootstrap stability of one run: the same algorithm and parameters refitted on resamples. Seeded
 * by (experiment seed, run id), so the recommendation's check and the report's figure are the
 * same numbers whichever computes them first, and whichever thread refits (a grid's `helper`).
 */
export function runStability(
  matrix: FeatureMatrix,
  run: Pick<RunRecord, "id" | "algorithm" | "params" | "labels">,
  seed: number,
  progress?: (message: string) => void,
  helper?: GridHelper | null
): StabilityResult {
  const { algorithm, params } = run;
  const mapRefits: RefitMap | undefined = helper
    ? (base, samples, seeds, done) =>
        helper.share("refit", { algorithm, params, base, samples, seeds }, samples.length, (b) => refitResample(run, base, samples[b], seeds[b]), {
          started: (b) => b > 0 && done()
        })
    : undefined;
  return stability(matrix, run.labels, (m, rng) => refitLabels(run, m, rng), {
    rng: new Rng(runSeed(seed, `${run.id} stability`)),
    maxRows: STABILITY_ROWS,
    progress: shareProgress(`stability of ${run.id}`, progress),
    mapRefits
  });
}
