import type { EpsSuggestion } from "../cluster/dbscan.ts";
import type { AlgorithmName } from "../cluster/types.ts";
import { checkParam, WorkbenchError } from "../errors.ts";
import type { ExperimentOptions } from "../manifest/types.ts";
import type { FeatureMatrix } from "../matrix.ts";
import { ALGORITHM_NAMES, ALGORITHMS, runId, type ParamValue } from "../registry/algorithms.ts";

/** The k-distance suggestion DBSCAN's default eps grid was built around. */
export type EpsSuggestionInfo = EpsSuggestion & { minPoints: number };

/** One planned run: an algorithm and its parameters. */
export interface PlannedRun {
  /** Stable, readable id, e.g. "kmeans k=4", "dbscan eps=0.8". */
  id: string;
  algorithm: AlgorithmName;
  params: Record<string, unknown>;
}

/**
 * The runs of an experiment: for each algorithm (the manifest's list, else those in the default
 * grid), the product of its axes (the manifest's values, else the registry's defaults: k = 2..10,
 * a DBSCAN eps grid around the k-distance suggestion, ...), each run with the algorithm's shared
 * settings. Default k values above the number of customers are left out; a listed k above it is
 * an error.
 */
export function planRuns(matrix: FeatureMatrix, options: ExperimentOptions): { runs: PlannedRun[]; epsSuggestion: EpsSuggestionInfo | null } {
  const grid = options.grid ?? {};
  const algorithms = options.algorithms ?? ALGORITHMS.filter((a) => a.inDefaultGrid).map((a) => a.name);
  for (const a of algorithms) checkParam(ALGORITHM_NAMES.includes(a), "experiment.algorithms", a, `some of ${ALGORITHM_NAMES.join(", ")}`);
  const runs: PlannedRun[] = [];
  let epsSuggestion: EpsSuggestionInfo | null = null;
  for (const spec of ALGORITHMS.filter((a) => algorithms.includes(a.name))) {
    const given = (grid[spec.name] ?? {}) as Record<string, ParamValue | ParamValue[] | undefined>;
    const settings: Record<string, ParamValue> = {};
    for (const p of spec.params) {
      if (p.axis) continue;
      const value = given[p.name] ?? p.byDefault?.({ matrix, seed: options.seed, settings }).values[0];
      if (value !== undefined) settings[p.name] = value as ParamValue;
    }
    let combos: Array<Record<string, ParamValue>> = [{}];
    for (const p of spec.params) {
      if (!p.axis) continue;
      let values = given[p.name] as ParamValue[] | undefined;
      if (values === undefined) {
        const d = p.byDefault!({ matrix, seed: options.seed, settings });
        if (d.suggestion) epsSuggestion = d.suggestion as EpsSuggestionInfo;
        values = d.values;
      } else if (p.name === "k") {
        // A k the user asked for that the data cannot have is an error, not a quietly different run.
        const name = `experiment.grid.${spec.name}.k`;
        if (!Array.isArray(values) || values.length === 0) throw new WorkbenchError(`invalid parameter ${name}`, { expected: "a non-empty list of whole numbers" });
        for (const k of values) checkParam(!((k as number) > matrix.n), name, k, `at most ${matrix.n}, the number of customers`);
      }
      combos = combos.flatMap((c) => values!.map((v) => ({ ...c, [p.name]: v })));
    }
    for (const c of combos) {
      const params = { ...c, ...settings };
      runs.push({ id: runId(spec.name, params), algorithm: spec.name, params });
    }
  }
  return { runs, epsSuggestion };
}

/** A seed for one run from the experiment seed and the run id, so adding runs changes no other run. */
export function runSeed(seed: number, id: string): number {
  let h = 2166136261 ^ seed;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619);
  return h >>> 0;
}
