import { describe, expect, it } from "vitest";
import { adjustedRandIndex } from "../loaders/evaluate/ari.ts";
import { contingencyTable } from "../loaders/evaluate/contingency.ts";
import { prepareDataset } from "../loaders/experiment/pipeline.ts";
import { runExperiment } from "../loaders/experiment/runner.ts";
import { hierarchical } from "../loaders/cluster/hierarchical.ts";
import { findDataset, loadManifest } from "../loaders/manifest/load.ts";
import { Rng } from "../loaders/rng.ts";
import { plantedCustomers } from "../loaders/synthetic.ts";

const ari = (a: ArrayLike<number>, b: ArrayLike<number>) => adjustedRandIndex(contingencyTable(a, b));

describe("experiment runner on planted segments", () => {
  // Seed 9: four segments that silhouette can tell apart (with seed 7 two planted centres lie close
  // enough that k = 3 scores a hair higher).
  const planted = plantedCustomers({ n: 900, d: 5, k: 4, seed: 9 });
  const grid = { kmeans: { k: [2, 3, 4, 5, 6] }, gmm: { k: [2, 3, 4, 5, 6] }, hierarchical: { k: [2, 3, 4, 5, 6] } };
  const result = runExperiment({
    matrix: planted.matrix,
    label: null,
    options: { seed: 3, grid, algorithms: ["kmeans", "gmm", "hierarchical"] }
  });

  it("recovers the planted segments with k-means, Ward and the Gaussian mixture (ARI ≥ 0.95)", () => {
    for (const id of ["kmeans k=4", "gmm full k=4", "hierarchical ward k=4"]) {
      const run = result.runs.find((r) => r.id === id)!;
      expect(ari(run.labels, planted.truth), id).toBeGreaterThanOrEqual(0.95);
    }
  });

  it("recommends the planted number of segments", () => {
    expect(result.recommendation?.runId).toMatch(/k=4$/);
  });

  it("scores every run with the internal metrics", () => {
    for (const r of result.runs) {
      expect(r.metrics.silhouette).toBeGreaterThan(-1);
      expect(r.metrics.inertia).toBeGreaterThan(0);
      expect(r.sizes.reduce((a, b) => a + b, 0)).toBe(900);
    }
    expect(result.runs.find((r) => r.algorithm === "gmm")!.metrics.bic).toBeTypeOf("number");
  });

  it("gives identical output for the same seed, and the same run whatever else is in the grid", () => {
    const again = runExperiment({ matrix: planted.matrix, label: null, options: { seed: 3, grid, algorithms: ["kmeans", "gmm", "hierarchical"] } });
    const strip = (r: typeof result) => JSON.stringify(r.runs.map((x) => ({ ...x, seconds: 0, labels: Array.from(x.labels) })));
    expect(strip(again)).toBe(strip(result));
    const alone = runExperiment({ matrix: planted.matrix, label: null, options: { seed: 3, grid, algorithms: ["kmeans"] } });
    expect(Array.from(alone.runs.find((r) => r.id === "kmeans k=5")!.labels)).toEqual(Array.from(result.runs.find((r) => r.id === "kmeans k=5")!.labels));
  });

  it("cuts one hierarchy for every k, as separate fits would", () => {
    for (const k of [2, 4, 6]) {
      const single = hierarchical.fit(planted.matrix, { k }, new Rng(1));
      const fromPath = result.runs.find((r) => r.id === `hierarchical ward k=${k}`)!;
      expect(ari(single.labels, fromPath.labels)).toBe(1);
    }
  });

  it("gives a sampled hierarchy the same labels alone as within its family (the CLI's single --k)", () => {
    // maxPoints 200 < 900 rows: the tree is grown on a seeded sample, seeded by the family.
    const run = (k: number) => ({ id: `hierarchical ward k=${k}`, algorithm: "hierarchical" as const, params: { k, linkage: "ward", maxPoints: 200 } });
    const family = runExperiment({ matrix: planted.matrix, label: null, options: { seed: 3 }, runs: [2, 3, 4].map(run) });
    const alone = runExperiment({ matrix: planted.matrix, label: null, options: { seed: 3 }, runs: [run(3)] });
    expect(alone.runs[0].notes.join(" ")).toMatch(/sample of 200/);
    expect(Array.from(alone.runs[0].labels)).toEqual(Array.from(family.runs[1].labels));
  });

  it("adds external metrics when there is a gold-standard label", () => {
    const withLabel = runExperiment({
      matrix: planted.matrix,
      label: Array.from(planted.truth, (t) => `seg${t}`),
      options: { seed: 3, grid: { kmeans: { k: [4] } }, algorithms: ["kmeans"] }
    });
    const m = withLabel.runs[0].metrics;
    expect(m.ari).toBeGreaterThanOrEqual(0.95);
    for (const key of ["randIndex", "nmi", "homogeneity", "completeness", "vMeasure", "purity", "matchedAccuracy"] as const) {
      expect(m[key], key).toBeGreaterThan(0.9);
    }
  });

  it("lets DBSCAN mark planted outliers as noise", () => {
    const p = plantedCustomers({ n: 1000, d: 4, k: 3, seed: 11, outlierShare: 0.03 });
    const r = runExperiment({ matrix: p.matrix, label: null, options: { seed: 1, algorithms: ["dbscan"] } });
    const best = r.runs.find((x) => x.id === "dbscan eps=" + r.epsSuggestion!.eps.toPrecision(3).replace(/\.?0+$/, "")) ?? r.runs[2];
    const noise = new Set(Array.from(best.labels.keys()).filter((i) => best.labels[i] === -1));
    const caught = Array.from(p.outliers).filter((i) => noise.has(i)).length;
    expect(caught / p.outliers.length).toBeGreaterThanOrEqual(0.9);
  });
});

describe("the shipped datasets through the pipeline", () => {
  it("CDNOW gives 23,570 customers", () => {
    const data = prepareDataset(findDataset(loadManifest(), "cdnow"));
    expect(data.prepared.matrix.n).toBe(23570);
    expect(data.transactions!.customers).toBe(23570);
    expect(data.rfm!.segment.length).toBe(23570);
  });
});
