import { describe, expect, it } from "vitest";
import { WorkbenchError } from "../loaders/errors.ts";
import type { StabilityResult } from "../loaders/evaluate/stability.ts";
import { recommend, type Recommendation } from "../loaders/experiment/recommend.ts";
import type { RunRecord } from "../loaders/experiment/runner.ts";

// Expected picks below follow from the rule by hand: the scores and sizes are made up so that
// each case has one answer (eligible = 3–8 segments, every segment ≥ 3% of rows, ≤ 10% noise,
// and, where a stability function is given, every segment's bootstrap Jaccard ≥ 0.75).
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
    segmentModel: { kind: "centroids", centroids: [] },
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
function pick(list: RunRecord[], options?: Parameters<typeof recommend>[1], stabilityOf?: Parameters<typeof recommend>[2]): Recommendation {
  const r = recommend(list, options, stabilityOf);
  expect(r).not.toBeNull();
  return r!;
}

describe("recommend", () => {
  it("takes the best silhouette among runs without tiny segments or much noise", () => {
    const r = pick(runs);
    expect(r.runId).toBe("gmm full k=4");
    expect(r.eligible).toBe(2); // k=2 is below the range, k=3 has a 1% segment, DBSCAN 20% noise
    expect(r.verdicts["kmeans k=2"]).toBe("2 segments, outside 3–8");
    expect(r.verdicts["kmeans k=3"]).toBe("smallest segment 1% of customers, below 3%");
    expect(r.verdicts["dbscan eps=1"]).toBe("20% noise, above 10%");
    expect(r.verdicts["hierarchical ward k=4"]).toMatch(/^silhouette 0.6 below 0.6 of gmm full k=4/);
    expect(r.strongest).toEqual({ runId: "gmm full k=4", k: 4, score: 0.6 });
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
    expect(pick(runs, { kRange: [2, 2] }).runId).toBe("kmeans k=2");
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
    expect(r.eligible).toBe(2); // gmm k=4, diag k=3; k=2 is out of range, k=5 has a 1% segment
    expect(r.rule).toMatch(/^pinned in data\/manifest.json to gmm: highest silhouette among gmm runs/);
    expect(r.rule).toMatch(/2 of 4 runs qualified/);
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
    expect(r.rule).toMatch(/^pinned in data\/manifest.json to dbscan: highest silhouette over all dbscan runs \(0 of 1 runs qualified/);
    expect(r.fallback).toMatch(/no run met/);
  });

  it("returns null when no pinned run can be scored", () => {
    // k-means runs have no BIC.
    expect(recommend(grid, { algorithm: "kmeans", metric: "bic" })).toBeNull();
  });
});

describe("recommend with stability: a handful of segments that keep turning up", () => {
  /** A stability result whose every segment has the given mean Jaccard. */
  const stableAt = (jaccard: Record<string, number>) => (r: RunRecord): StabilityResult => ({
    B: 20,
    n: r.labels.length,
    nUsed: r.labels.length,
    subsampled: false,
    notes: [],
    segments: r.sizes.map((size, segment) => ({ segment, size, meanJaccard: segment === 0 ? jaccard[r.id] : 1, stableShare: 1, dissolvedShare: 0, resamples: 20, jaccards: [] })),
    meanJaccard: jaccard[r.id]
  });
  const grid = [
    run("kmeans k=2", 2, [500, 500], { silhouette: 0.9 }), // the strongest split, but too few segments
    run("kmeans k=3", 3, [400, 300, 300], { silhouette: 0.6 }),
    run("kmeans k=4", 4, [250, 250, 250, 250], { silhouette: 0.55 }),
    run("kmeans k=5", 5, [200, 200, 200, 200, 200], { silhouette: 0.5 }),
    run("kmeans k=6", 6, [200, 200, 200, 200, 100, 100], { silhouette: 0.45 })
  ];

  it("takes the best stable run in range, says why the others lost, and names the strongest split", () => {
    const asked: string[] = [];
    const jaccard = { "kmeans k=3": 0.6, "kmeans k=4": 0.8, "kmeans k=5": 0.9, "kmeans k=6": 0.95 };
    const r = pick(grid, {}, (run) => (asked.push(run.id), stableAt(jaccard)(run)));
    expect(r.runId).toBe("kmeans k=4");
    expect(asked).toEqual(["kmeans k=3", "kmeans k=4"]); // best first, each once, stopping at the first stable run
    expect(r.verdicts["kmeans k=3"]).toBe("unstable: a segment's bootstrap mean Jaccard is 0.60, below 0.75");
    expect(r.verdicts["kmeans k=5"]).toBe("silhouette 0.5 below 0.55 of kmeans k=4 (stability not checked)");
    expect(r.strongest).toEqual({ runId: "kmeans k=2", k: 2, score: 0.9 });
    expect(r.stability).toEqual({ "kmeans k=3": 0.6, "kmeans k=4": 0.8 });
    expect(r.fallback).toBeNull();
  });

  it("falls back to the most stable checked run when none is stable enough", () => {
    const r = pick(grid, {}, stableAt({ "kmeans k=3": 0.5, "kmeans k=4": 0.7, "kmeans k=5": 0.6, "kmeans k=6": 0.4 }));
    expect(r.runId).toBe("kmeans k=4");
    expect(r.fallback).toMatch(/none of the 4 best runs has every segment stable \(Jaccard ≥ 0.75\); the most stable of them, kmeans k=4 \(0.70\), was taken/);
    expect(r.verdicts["kmeans k=4"]).toMatch(/^chosen by the fallback: none of the 4 best/);
    expect(r.verdicts["kmeans k=5"]).toBe("unstable: a segment's bootstrap mean Jaccard is 0.60, below 0.75");
    expect(r.rule).not.toMatch(/fallback/); // said once, in its own field
  });

  it("follows minStability from the manifest", () => {
    const r = pick(grid, { minStability: 0.55 }, stableAt({ "kmeans k=3": 0.6, "kmeans k=4": 0.8, "kmeans k=5": 0.9 }));
    expect(r.runId).toBe("kmeans k=3");
  });

  it("refuses segments of fewer than 10 customers, whatever their share", () => {
    const small = [run("kmeans k=3", 3, [100, 100, 9], { silhouette: 0.9 }), run("kmeans k=4", 4, [60, 60, 60, 29], { silhouette: 0.5 })];
    const r = pick(small, { minSegmentShare: 0 });
    expect(r.runId).toBe("kmeans k=4");
    expect(r.verdicts["kmeans k=3"]).toBe("smallest segment 9 customers, below 10");
  });

  it("allows any k when no run in range has acceptable segment sizes", () => {
    const r = pick([grid[0], run("kmeans k=3", 3, [980, 10, 10], { silhouette: 0.7 })], {}, stableAt({}));
    expect(r.runId).toBe("kmeans k=2");
    expect(r.fallback).toMatch(/no run has 3–8 segments/);
  });

  it("a pinned k overrides the range", () => {
    expect(pick(grid, { k: 2 }, stableAt({ "kmeans k=2": 0.9 })).runId).toBe("kmeans k=2");
  });
});
