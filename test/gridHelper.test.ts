import { afterEach, describe, expect, it } from "vitest";
import { WorkbenchError } from "../loaders/errors.ts";
import { gridHelperJobs, setGridHelper, startGridHelper } from "../loaders/experiment/gridHelper.ts";
import { fitGroup, runExperiment, type RunRecord } from "../loaders/experiment/runner.ts";
import { runStability } from "../loaders/experiment/runStability.ts";
import type { ExperimentOptions } from "../loaders/manifest/types.ts";
import { plantedCustomers } from "../loaders/synthetic.ts";

afterEach(() => setGridHelper(true));

/** A grid's records without their timings, which differ from run to run anyway. */
function records(runs: RunRecord[]) {
  return runs.map(({ seconds: _, ...rest }) => rest);
}

function bothWays(matrix: Parameters<typeof runExperiment>[0]["matrix"], options: ExperimentOptions) {
  setGridHelper(false);
  const alone = runExperiment({ matrix, label: null, options });
  setGridHelper(true);
  const before = gridHelperJobs();
  const helped = runExperiment({ matrix, label: null, options });
  return { alone, helped, jobs: gridHelperJobs() - before };
}

describe("a grid shared with a helper thread", () => {
  it("gives the records, stability checks and recommendation of one thread, DBSCAN and Ward included", () => {
    const { matrix } = plantedCustomers({ n: 3000, d: 5, k: 4, seed: 11 });
    const { alone, helped, jobs } = bothWays(matrix, { seed: 5 });
    expect(jobs).toBeGreaterThan(0);
    expect(records(helped.runs)).toEqual(records(alone.runs));
    expect(helped.recommendation).toEqual(alone.recommendation);
    // The recommendation's bootstrap checks, refitted on either thread.
    expect(Object.keys(helped.stabilities).length).toBeGreaterThan(0);
    expect(helped.stabilities).toEqual(alone.stabilities);
  }, 120_000);

  it("gives the same sampled silhouettes when the samples are measured one by one on two threads", () => {
    // 12,000 rows: each run's silhouette is a 5,000-row sample, too sparse to share pairs.
    const { matrix } = plantedCustomers({ n: 12_000, d: 4, k: 3, seed: 4 });
    const options: ExperimentOptions = { seed: 2, algorithms: ["kmeans", "gmm"], grid: { kmeans: { k: [2, 3, 4, 5] }, gmm: { k: [2, 3, 4] } } };
    const { alone, helped, jobs } = bothWays(matrix, options);
    expect(jobs).toBeGreaterThan(0);
    expect(helped.runs.map((r) => r.silhouette)).toEqual(alone.runs.map((r) => r.silhouette));
    expect(helped.runs.every((r) => r.silhouette.sampled)).toBe(true);
  }, 120_000);

  it("raises the first failing job's error in grid order, as one thread would", () => {
    const { matrix } = plantedCustomers({ n: 60_000, d: 4, k: 5, seed: 1 });
    const run = (id: string, params: Record<string, unknown>) => ({ key: `#${id}`, runs: [{ id, algorithm: "kmeans" as const, params }] });
    // This thread holds the first job for 2 s, so the helper (loaded by the warm-up) claims the failing second.
    const groups = [run("a", { k: 8, nInit: 3 }), run("b", { k: 3, maxIter: 0 }), run("c", { k: 4 }), run("d", { k: 3, tol: -1 }), run("e", { k: 2 })];
    const helper = startGridHelper(matrix)!;
    expect(helper).not.toBeNull();
    const pause = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
    try {
      const share = (gs: typeof groups) =>
        helper.share("fit", { groups: gs, seed: 1 }, gs.length, (g) => {
          if (gs[g].key === "#a") pause(2000);
          return fitGroup(matrix, gs[g], 1);
        });
      const warm = [run("w1", { k: 8, nInit: 4 }), run("w2", { k: 8, nInit: 4 }), run("w3", { k: 8, nInit: 4 })];
      share(warm);
      const before = gridHelperJobs();
      expect(() => share(groups)).toThrow(WorkbenchError);
      expect(gridHelperJobs()).toBeGreaterThan(before);
      expect(() => share(groups)).toThrow(/^b: invalid parameter maxIter/);
    } finally {
      helper.close();
    }
  }, 120_000);

  it("runs no job after a failed one, as one thread stops at it", () => {
    const { matrix } = plantedCustomers({ n: 60_000, d: 4, k: 5, seed: 1 });
    const run = (id: string, params: Record<string, unknown>) => ({ key: `#${id}`, runs: [{ id, algorithm: "kmeans" as const, params }] });
    const many = [run("x", { k: 3, maxIter: 0 }), ...Array.from({ length: 20 }, (_, j) => run(`y${j}`, { k: 8, nInit: 3 }))];
    // A helper just started is still loading: this thread claims the jobs after the failure.
    const helper = startGridHelper(matrix)!;
    try {
      let here = 0;
      expect(() => helper.share("fit", { groups: many, seed: 1 }, many.length, (g) => (here++, fitGroup(matrix, many[g], 1)))).toThrow(/^x: /);
      expect(here).toBe(1);
    } finally {
      helper.close();
    }
  }, 120_000);

  it("gives a stability check's numbers when the helper refits some of its resamples", () => {
    // Weakly separated segments, so each refit's labels depend on its seed and its rows.
    const { matrix } = plantedCustomers({ n: 4000, d: 4, k: 3, seed: 8, separation: 0.8 });
    const grid = runExperiment({ matrix, label: null, options: { seed: 1, algorithms: ["gmm"], grid: { gmm: { k: [6] } } } });
    const run = grid.runs[0];
    const alone = runStability(matrix, run, 1);
    const helper = startGridHelper(matrix)!;
    try {
      runStability(matrix, run, 1, undefined, helper); // the helper's start
      const before = gridHelperJobs();
      const helped = runStability(matrix, run, 1, undefined, helper);
      expect(gridHelperJobs()).toBeGreaterThan(before);
      expect(helped).toEqual(alone);
    } finally {
      helper.close();
    }
  }, 120_000);
});
