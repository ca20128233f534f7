import { describe, expect, it } from "vitest";
import { WorkbenchError } from "../loaders/errors.ts";
import { recommend } from "../loaders/experiment/recommend.ts";
import type { RunRecord } from "../loaders/experiment/runner.ts";

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

describe("recommend", () => {
  it("takes the best silhouette among runs without tiny segments or much noise", () => {
    const r = recommend(runs);
    expect(r.runId).toBe("gmm full k=4");
    expect(r.eligible).toBe(3);
    expect(r.rule).toMatch(/highest silhouette/);
  });

  it("breaks ties by fewer segments, then algorithm order", () => {
    const tie = [runs[2], runs[3], run("kmeans k=5", 5, [200, 200, 200, 200, 200], { silhouette: 0.6 })];
    expect(recommend([...tie].reverse()).runId).toBe("gmm full k=4");
  });

  it("follows a metric and segment-share set in the manifest", () => {
    expect(recommend(runs, { metric: "daviesBouldin" }).runId).toBe("gmm full k=4");
    expect(recommend(runs, { minSegmentShare: 0.005 }).runId).toBe("kmeans k=3");
  });

  it("honours a pinned run, and says when the grid lacks it", () => {
    expect(recommend(runs, { algorithm: "hierarchical", k: 4 }).runId).toBe("hierarchical ward k=4");
    expect(() => recommend(runs, { algorithm: "kmeans", k: 9 })).toThrow(WorkbenchError);
    expect(() => recommend(runs, { metric: "accuracy" as never })).toThrow(/experiment.recommend.metric/);
  });
});
