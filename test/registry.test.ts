import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { predictSegments } from "../loaders/cluster/segmentModel.ts";
import { planRuns } from "../loaders/experiment/grid.ts";
import { runOne, silhouetteRows } from "../loaders/experiment/runner.ts";
import { parseManifest } from "../loaders/manifest/load.ts";
import { ALGORITHMS } from "../loaders/registry/algorithms.ts";
import { METRICS } from "../loaders/registry/metrics.ts";
import { Rng } from "../loaders/rng.ts";
import { plantedCustomers } from "../loaders/synthetic.ts";
import { segmentCommand } from "../loaders/cli/segmentCommand.ts";
import { SEGMENT_USAGE } from "../loaders/cli/segmentArgs.ts";
import { runCommand } from "./helpers/cli.ts";
import { makeProject, removeProject, REPO } from "./helpers/project.ts";

/**
 * The registry: one declaration per algorithm. Mini-batch k-means (Sculley 2010) was added as
 * one entry plus its module; these tests hold the rest of the code to that.
 */
describe("the algorithm registry", () => {
  it("names mini-batch k-means nowhere but in its declaration and its module", () => {
    const files = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : /\.(ts|js|md)$/.test(e.name) ? [join(dir, e.name)] : []));
    const mentions = [...files(join(REPO, "loaders")), ...files(join(REPO, "src"))]
      .filter((f) => /\bminibatch\b|miniBatchKmeans/.test(readFileSync(f, "utf8")))
      .map((f) => relative(REPO, f))
      .sort();
    expect(mentions).toEqual(["loaders/cluster/miniBatchKmeans.ts", "loaders/registry/algorithms.ts"]);
  });

  it("plans, validates and ids a new algorithm's runs from its declaration", () => {
    const blobs = plantedCustomers({ n: 600, d: 3, k: 3, seed: 2 });
    const { runs } = planRuns(blobs.matrix, { seed: 1, algorithms: ["minibatch"], grid: { minibatch: { k: [3, 4], batchSize: 128 } } });
    expect(runs.map((r) => r.id)).toEqual(["minibatch k=3", "minibatch k=4"]);
    expect(runs[0].params).toEqual({ k: 3, batchSize: 128 });
    // Not in the default grid: it is for data too big for k-means, and would double every build's k-means runs.
    expect(planRuns(blobs.matrix, { seed: 1 }).runs.some((r) => r.algorithm === "minibatch")).toBe(false);
    const manifest = (grid: object) => ({ datasets: { t: { title: "T", kind: "customers", file: "t.csv", format: "csv", columns: { x: "numeric" }, experiment: { algorithms: ["minibatch"], grid } } } });
    expect(() => parseManifest(manifest({ minibatch: { batchSize: 0 } }), "m.json")).toThrow(/grid\.minibatch\.batchSize": must be a whole number ≥ 1/);
    expect(() => parseManifest(manifest({ minibatch: { linkage: ["ward"] } }), "m.json")).toThrow(/unknown field, expected one of k, batchSize, nInit, maxIter/);
  });

  it("wide data: the default mixture is diagonal above 20 features, and silhouettes use fewer rows", () => {
    const narrow = plantedCustomers({ n: 100, d: 20, k: 2, seed: 1 });
    const wide = plantedCustomers({ n: 100, d: 21, k: 2, seed: 1 });
    const ids = (m: typeof narrow) => planRuns(m.matrix, { seed: 1, algorithms: ["gmm"] }).runs.map((r) => r.id);
    expect(ids(narrow)[0]).toBe("gmm full k=2");
    expect(ids(wide)[0]).toBe("gmm diag k=2");
    expect(planRuns(wide.matrix, { seed: 1, algorithms: ["gmm"], grid: { gmm: { covariance: ["full"] } } }).runs[0].id).toBe("gmm full k=2");
    // rows² × d held at 5,000² × 8.
    expect([8, 32, 47].map(silhouetteRows)).toEqual([5000, 2500, 2063]);
    const many = plantedCustomers({ n: 3000, d: 32, k: 3, seed: 2 });
    const run = runOne(many.matrix, null, planRuns(many.matrix, { seed: 1, algorithms: ["kmeans"], grid: { kmeans: { k: [3] } } }).runs[0], 1);
    expect(run.silhouette.sampled).toBe(true);
    expect(run.silhouette.sampleSize).toBeGreaterThanOrEqual(2500);
    expect(run.silhouette.sampleSize).toBeLessThan(2520);
  });

  it("every algorithm's segment model predicts its own fit", () => {
    const blobs = plantedCustomers({ n: 900, d: 3, k: 3, seed: 4, separation: 7 });
    for (const a of ALGORITHMS) {
      const params = a.xAxis === "eps" ? { eps: 0.8, minPoints: 6 } : { k: 3 };
      const fit = a.clusterer.fit(blobs.matrix, params, new Rng(3));
      expect(Array.from(predictSegments(fit.segmentModel, blobs.matrix).labels), a.name).toEqual(Array.from(fit.labels));
    }
  });

  it("every metric states its direction and range, and which need a gold standard", () => {
    for (const [name, m] of Object.entries(METRICS)) {
      expect(["higher", "lower"], name).toContain(m.direction);
      expect(m.range[0], name).toBeLessThan(m.range[1]);
    }
    expect(Object.entries(METRICS).filter(([, m]) => m.needsLabels).map(([n]) => n)).toEqual(["ari", "randIndex", "nmi", "homogeneity", "completeness", "vMeasure", "purity", "matchedAccuracy"]);
  });
});

describe("segment --algorithm minibatch", () => {
  let dir: string;
  beforeAll(() => {
    const rows = ["id,a,b"];
    const blobs = plantedCustomers({ n: 400, d: 2, k: 3, seed: 9 });
    for (let i = 0; i < blobs.matrix.n; i++) rows.push(`c${i},${blobs.matrix.data[2 * i].toFixed(4)},${blobs.matrix.data[2 * i + 1].toFixed(4)}`);
    dir = makeProject({ datasets: { t: { title: "T", kind: "customers", file: "t.csv", format: "csv", columns: { id: "id", a: "numeric", b: "numeric" } } } }, { "t.csv": rows.join("\n") + "\n" });
  });
  afterAll(() => removeProject(dir));

  it("runs it with its own flag, and --help lists both", async () => {
    expect(SEGMENT_USAGE).toMatch(/--algorithm kmeans\|gmm\|hierarchical\|dbscan\|minibatch/);
    expect(SEGMENT_USAGE).toMatch(/--batch-size N rows per batch; default 1024\s+minibatch/);
    const r = await runCommand(segmentCommand, ["--dataset", "t", "--algorithm", "minibatch", "--k", "3", "--batch-size", "100"], { root: dir });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.runs.map((x: { id: string }) => x.id)).toEqual(["minibatch k=3"]);
    expect(out.runs[0].params).toEqual({ k: 3, batchSize: 100 });
    expect(new Set(out.runs[0].labels).size).toBe(3);
    const bad = await runCommand(segmentCommand, ["--dataset", "t", "--algorithm", "kmeans", "--batch-size", "100"], { root: dir });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--batch-size does not apply to --algorithm kmeans\. It is for minibatch/);
  });
});
