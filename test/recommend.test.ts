import { describe, expect, it } from "vitest";
import { WorkbenchError } from "../loaders/errors.ts";
import { recommend, type Recommendation } from "../loaders/experiment/recommend.ts";
import type { RunRecord } from "../loaders/experiment/runner.ts";

// Expected picks below follow from the rule by hand: the scores and sizes are made up so that
// each case has one answer (eligible = ≥ 2 segments, every segment ≥ 2% of rows, ≤ 10% noise).
function run(id: string, k: number, sizes: number[], metrics: Partial<RunRecord["metrics"]>): RunRecord {
  const n = sizes.reduce((a, b) => a + b, 0) + (metrics.noise ?? 0);
  return {
    id,
    algorithm: id.split(" ")[0] as RunRecord["algorithm"],
    params: { k },
    k,
    labels: new Int32Array(n),
    sizes,
    seconds: 0,
    metrics: { k, noise: 0, inertia: 1, silhouette: null, daviesBouldin: null, calinskiHarabasz: null, ...metrics },
    notes: [],
    model: {},
    silhouette: undefined as never,
    external: null
  };
}

const runs = [
  run("kmeans k=2", 2, [500, 500], { silhouette: 0.5, daviesBouldin: 0.9 }),
  run("kmeans k=3", 3, [490, 500, 10], { silhouette: 0.7, daviesBouldin: 0.5 }), // a 1% segment
  run("gmm full k=4", 4, [250, 250, 250, 250], { silhouette: 0.6, daviesBouldin: 0.7, bic: 10 }),
  run("hierarchical ward k=4", 4, [250, 250, 250, 250], { silhouette: 0.6, daviesBouldin: 0.8 }),
  run("dbscan eps=1", 3, [300, 300, 200], { silhouette: 0.9, noise: 200 }) // 20% noise
];

/** The recommendation, failing the test when there is none. */
function pick(list: RunRecord[], options?: Parameters<typeof recommend>[1]): Recommendation {
  const r = recommend(list, options);
  expect(r).not.toBeNull();
  return r!;
}

describe("recommend", () => {
  it("takes the best silhouette among runs without tiny segments or much noise", () => {
    const r = pick(runs);
    expect(r.runId).toBe("gmm full k=4");
    expect(r.eligible).toBe(3);
    expect(r.rule).toMatch(/highest silhouette/);
    expect(r.rule).not.toMatch(/pinned/);
  });

  it("breaks ties by fewer segments, then algorithm order", () => {
    const tie = [runs[2], runs[3], run("kmeans k=5", 5, [200, 200, 200, 200, 200], { silhouette: 0.6 })];
    expect(pick([...tie].reverse()).runId).toBe("gmm full k=4");
  });

  it("follows a metric and segment-share set in the manifest", () => {
    expect(pick(runs, { metric: "daviesBouldin" }).runId).toBe("gmm full k=4");
    expect(pick(runs, { minSegmentShare: 0.005 }).runId).toBe("kmeans k=3");
  });

  it("says when the grid lacks a pinned run, and rejects an unknown metric", () => {
    expect(() => recommend(runs, { algorithm: "kmeans", k: 9 })).toThrow(WorkbenchError);
    expect(() => recommend(runs, { algorithm: "kmeans", k: 9 })).toThrow(/pins a run that the grid does not have/);
    expect(() => recommend(runs, { metric: "accuracy" as never })).toThrow(/experiment.recommend.metric/);
  });

  it("returns null when no run can be scored", () => {
    const unscored = [run("kmeans k=2", 2, [5, 5], {}), run("dbscan eps=1", 1, [10], {})];
    expect(recommend(unscored)).toBeNull();
    expect(recommend([])).toBeNull();
  });
});

describe("recommend with a pin: the pin chooses the set, the rule chooses within it", () => {
  // The first gmm run (k=2) is not the best one; by silhouette the best eligible gmm run is
  // diag k=3 (0.65 > 0.6 > 0.3); gmm full k=5 scores higher (0.8) but has a 1% segment.
  const grid = [
    run("kmeans k=2", 2, [500, 500], { silhouette: 0.5 }),
    run("gmm full k=2", 2, [500, 500], { silhouette: 0.3, bic: 30 }),
    run("gmm full k=4", 4, [250, 250, 250, 250], { silhouette: 0.6, bic: 20 }),
    run("gmm full k=5", 5, [250, 250, 250, 240, 10], { silhouette: 0.8, bic: 5 }),
    run("gmm diag k=3", 3, [300, 300, 400], { silhouette: 0.65, bic: 25 }),
    run("hierarchical ward k=4", 4, [250, 250, 250, 250], { silhouette: 0.6 }),
    run("dbscan eps=1", 3, [300, 300, 200], { silhouette: 0.9, noise: 200 }) // 20% noise
  ];

  it("an algorithm pin takes that algorithm's best run, not its first", () => {
    const r = pick(grid, { algorithm: "gmm" });
    expect(r.runId).toBe("gmm diag k=3");
    expect(r.eligible).toBe(3); // gmm k=2, k=4, diag k=3; k=5 has a 1% segment
    expect(r.rule).toMatch(/^pinned in data\/manifest.json to gmm: highest silhouette among gmm runs/);
    expect(r.rule).toMatch(/3 of 4 runs qualified/);
  });

  it("the metric applies within the pin", () => {
    // Lowest BIC among eligible gmm runs: 20 (full k=4); k=5 (bic 5) is not eligible.
    expect(pick(grid, { algorithm: "gmm", metric: "bic" }).runId).toBe("gmm full k=4");
    // With a 0.5% share k=5 becomes eligible and has the lowest BIC.
    expect(pick(grid, { algorithm: "gmm", metric: "bic", minSegmentShare: 0.005 }).runId).toBe("gmm full k=5");
  });

  it("a k pin compares algorithms at that k, ties by algorithm order", () => {
    // gmm full k=4 and ward k=4 tie at 0.6 with the same k: the mixture comes first.
    const r = pick(grid, { k: 4 });
    expect(r.runId).toBe("gmm full k=4");
    expect(r.rule).toMatch(/^pinned in data\/manifest.json to k=4: .* among k=4 runs/);
  });

  it("an algorithm and k pin can still match several runs (covariance types)", () => {
    const two = [...grid, run("gmm diag k=4", 4, [250, 250, 250, 250], { silhouette: 0.62 })];
    expect(pick(two, { algorithm: "gmm", k: 4 }).runId).toBe("gmm diag k=4");
    expect(pick(grid, { algorithm: "hierarchical", k: 4 }).runId).toBe("hierarchical ward k=4");
  });

  it("falls back to the best scorable pinned run when none meets the conditions", () => {
    const r = pick(grid, { algorithm: "dbscan" });
    expect(r.runId).toBe("dbscan eps=1");
    expect(r.eligible).toBe(0);
    expect(r.rule).toMatch(/pinned in data\/manifest.json to dbscan: highest silhouette over all dbscan runs \(none met/);
  });

  it("returns null when no pinned run can be scored", () => {
    // k-means runs have no BIC.
    expect(recommend(grid, { algorithm: "kmeans", metric: "bic" })).toBeNull();
  });
});
