import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { clusterers } from "../loaders/cluster/index.ts";
import { predictSegments } from "../loaders/cluster/segmentModel.ts";
import { dbscanLabels } from "../loaders/cluster/dbscan.ts";
import { selectRows, sqDist, type FeatureMatrix } from "../loaders/matrix.ts";
import { applyPreparation } from "../loaders/prepare/fitted.ts";
import { prepare } from "../loaders/prepare/prepare.ts";
import type { PrepareOptions } from "../loaders/manifest/types.ts";
import { Rng } from "../loaders/rng.ts";
import { plantedCustomers } from "../loaders/synthetic.ts";
import { scoreCommand } from "../loaders/cli/scoreCommand.ts";
import { exportCommand } from "../loaders/cli/exportCommand.ts";
import { segmentCommand } from "../loaders/cli/segmentCommand.ts";
import { parseRecords } from "../loaders/io/parse.ts";
import { tableOf } from "./helpers/fixtures.ts";
import { runCommand } from "./helpers/cli.ts";
import { makeProject, removeProject } from "./helpers/project.ts";

const blobs = plantedCustomers({ n: 1200, d: 3, k: 4, seed: 11, separation: 6 });

describe("predict reproduces the fitted labels", () => {
  it("k-means and the Gaussian mixture (full and diagonal): every row", () => {
    for (const [name, params] of [
      ["kmeans", { k: 4 }],
      ["gmm", { k: 4, covariance: "full" }],
      ["gmm", { k: 4, covariance: "diag" }]
    ] as const) {
      const fit = clusterers[name].fit(blobs.matrix, params, new Rng(5));
      const predicted = predictSegments(fit.segmentModel, blobs.matrix);
      expect(Array.from(predicted.labels), name).toEqual(Array.from(fit.labels));
      if (name === "gmm") {
        const p = predicted.probabilities!;
        for (let i = 0; i < 20; i++) expect(p.data.subarray(i * 4, i * 4 + 4).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      }
    }
  });

  it("k-means on overlapping segments, where many rows sit near a boundary", () => {
    const close = plantedCustomers({ n: 2000, d: 2, k: 5, seed: 3, separation: 2 });
    const fit = clusterers.kmeans.fit(close.matrix, { k: 5 }, new Rng(1));
    expect(Array.from(predictSegments(fit.segmentModel, close.matrix).labels)).toEqual(Array.from(fit.labels));
  });

  it("hierarchical (Ward): all rows on separated segments; nearest centre agrees with most rows on overlapping ones", () => {
    const fit = clusterers.hierarchical.fit(blobs.matrix, { k: 4 }, new Rng(5));
    expect(Array.from(predictSegments(fit.segmentModel, blobs.matrix).labels)).toEqual(Array.from(fit.labels));
    // Ward segments are not Voronoi cells: on overlapping data some rows sit nearer another centre.
    const close = plantedCustomers({ n: 1500, d: 2, k: 4, seed: 3, separation: 2.5 });
    const ward = clusterers.hierarchical.fit(close.matrix, { k: 4 }, new Rng(5));
    const predicted = predictSegments(ward.segmentModel, close.matrix).labels;
    const agree = predicted.filter((l, i) => l === ward.labels[i]).length / close.matrix.n;
    expect(agree).toBeGreaterThan(0.85);
    expect(agree).toBeLessThan(1);
  });

  it("hierarchical fitted on a sample: rows outside the sample get exactly the fitted label", () => {
    const fit = clusterers.hierarchical.fit(blobs.matrix, { k: 4, maxPoints: 300 }, new Rng(5));
    const sample = new Set((fit.model.sampleIndices as number[]) ?? []);
    expect(sample.size).toBe(300);
    const predicted = predictSegments(fit.segmentModel, blobs.matrix).labels;
    for (let i = 0; i < blobs.matrix.n; i++) if (!sample.has(i)) expect(predicted[i]).toBe(fit.labels[i]);
  });

  it("DBSCAN: core and noise rows exactly; a border row differs only when cores of two segments are within eps", () => {
    const noisy = plantedCustomers({ n: 1500, d: 2, k: 3, seed: 8, separation: 5, outlierShare: 0.02 });
    for (const eps of [0.35, 0.6]) {
      const fit = clusterers.dbscan.fit(noisy.matrix, { eps, minPoints: 5 }, new Rng(5));
      expect(fit.k).toBeGreaterThanOrEqual(2);
      const predicted = predictSegments(fit.segmentModel, noisy.matrix).labels;
      const { core } = dbscanLabels(noisy.matrix, eps, 5);
      let mismatches = 0;
      for (let i = 0; i < noisy.matrix.n; i++) {
        if (predicted[i] === fit.labels[i]) continue;
        mismatches++;
        expect(core[i], `row ${i} is a core row`).toBe(0);
        expect(fit.labels[i]).toBeGreaterThanOrEqual(0);
        // The row's segment and the predicted one both have a core within eps of it.
        expect(coreSegmentsWithin(noisy.matrix, core, fit.labels, i, eps)).toEqual(expect.arrayContaining([fit.labels[i], predicted[i]]));
      }
      expect(mismatches).toBeLessThan(noisy.matrix.n * 0.01);
    }
  });

  it("DBSCAN fitted on a sample: rows outside the sample get exactly the fitted label", () => {
    const fit = clusterers.dbscan.fit(blobs.matrix, { eps: 0.5, minPoints: 5, maxPoints: 400 }, new Rng(2));
    const predicted = predictSegments(fit.segmentModel, blobs.matrix).labels;
    const sample = new Rng(2).sampleIndices(blobs.matrix.n, 400);
    const inSample = new Set(sample);
    let outside = 0;
    for (let i = 0; i < blobs.matrix.n; i++) {
      if (inSample.has(i)) continue;
      outside++;
      expect(predicted[i]).toBe(fit.labels[i]);
    }
    expect(outside).toBe(800);
  });
});

function coreSegmentsWithin(m: FeatureMatrix, core: Uint8Array, labels: Int32Array, row: number, eps: number): number[] {
  const out = new Set<number>();
  for (let j = 0; j < m.n; j++) if (core[j] && sqDist(m.data, row, m.data, j, m.d) <= eps * eps) out.add(labels[j]);
  return [...out];
}

describe("a fitted preparation", () => {
  const rng = new Rng(4);
  const n = 300;
  const spend = Array.from({ length: n }, (_, i) => (i % 37 === 0 ? null : Math.round(Math.exp(3 + 2 * rng.random()))));
  const visits = Array.from({ length: n }, (_, i) => (i === 7 ? 400 : 1 + (i % 9)));
  const plan = Array.from({ length: n }, (_, i) => (i % 41 === 0 ? null : ["basic", "pro", "team"][i % 3]));
  const flag = Array.from({ length: n }, (_, i) => (i % 6 === 0 ? 1 : 0));
  const cols = { id: ["id", Array.from({ length: n }, (_, i) => `c${i}`)], spend: ["numeric", spend], visits: ["numeric", visits], plan: ["categorical", plan], flag: ["numeric", flag] } as const;
  const settings: PrepareOptions[] = [
    { missing: "median", outlierRule: "iqr", outliers: "cap", transform: "skewed", scale: "zscore" },
    { missing: "median", outlierRule: "zscore", outliers: "keep", transform: "log1p", scale: "robust" },
    { missing: "median", outlierRule: "iqr", outliers: "keep", transform: "none", scale: "minmax" },
    { missing: "drop", outlierRule: "iqr", outliers: "drop", transform: "none", scale: "zscore" }
  ];

  it("puts every training customer where prepare() put it, bit for bit, under every setting", () => {
    for (const options of settings) {
      const table = tableOf(cols as never, options);
      const fitted = prepare(table, options);
      const applied = applyPreparation(fitted.fitted, table);
      // apply keeps every customer; the rows prepare() kept are the same, value for value.
      expect(applied.matrix.n).toBe(n);
      expect(applied.matrix.names).toEqual(fitted.matrix.names);
      const kept = selectRows(applied.matrix, fitted.rows);
      expect(Array.from(kept.data), JSON.stringify(options)).toEqual(Array.from(fitted.matrix.data));
      expect(Array.from(selectRows(applied.unscaled, fitted.rows).data)).toEqual(Array.from(fitted.unscaled.data));
    }
  });

  it("fills, caps and encodes new customers with what it learned, and says so", () => {
    const options = settings[0];
    const fitted = prepare(tableOf(cols as never, options), options).fitted;
    const fresh = tableOf({ id: ["id", ["n1", "n2", "n3"]], spend: ["numeric", [null, 50, 1e9]], visits: ["numeric", [3, 3, 3]], plan: ["categorical", ["enterprise", null, "pro"]], flag: ["numeric", [0, 1, 0]] }, options);
    const applied = applyPreparation(fitted, fresh);
    const column = (name: string) => Array.from({ length: 3 }, (_, i) => applied.unscaled.data[i * applied.unscaled.d + applied.unscaled.names.indexOf(name)]);
    const spendFit = fitted.features.find((f) => f.name === "spend")!;
    if (spendFit.kind !== "number") throw new Error("spend is numeric");
    expect(column("spend")[0]).toBe(Math.min(spendFit.fill, spendFit.upper!));
    expect(column("spend")[2]).toBe(spendFit.upper); // capped at the training fence
    expect(column("plan=basic")).toEqual([0, 0, 0]);
    expect(column("plan=pro")).toEqual([0, 1, 1]); // the missing plan gets the training mode, "pro"
    expect(column("plan=team")).toEqual([0, 0, 0]);
    expect(applied.notes).toEqual(expect.arrayContaining([
      expect.stringMatching(/1 value\(s\) of "plan" are categories not seen in training/),
      expect.stringMatching(/1 missing value\(s\) of "spend" filled with the training median/)
    ]));
  });

  it("names a column the new file lacks", () => {
    const options = settings[0];
    const fitted = prepare(tableOf(cols as never, options), options).fitted;
    const fresh = tableOf({ id: ["id", ["n1"]], spend: ["numeric", [3]], plan: ["categorical", ["pro"]], flag: ["numeric", [0]] }, options);
    expect(() => applyPreparation(fitted, fresh)).toThrow(/column "visits" is missing/);
  });
});

/** npm run score, on a small project of its own: a customer table and a transaction log. */
describe("npm run score", () => {
  function customers(count: number, offset = 0): string {
    const lines = ["id,plan,spend,visits"];
    for (let i = offset; i < offset + count; i++) {
      const g = i % 3;
      lines.push(`c${i},${["basic", "pro", "team"][g]},${100 + g * 400 + (i % 7)},${2 + g * 5 + (i % 3)}`);
    }
    return lines.join("\n") + "\n";
  }
  function log(): string {
    const lines = ["who,day,paid"];
    for (let c = 0; c < 60; c++) {
      for (let v = 0; v < 1 + (c % 4) * 3; v++) lines.push(`u${c},2024-${String(1 + ((c + v * 2) % 12)).padStart(2, "0")}-${String(1 + ((c * 7 + v) % 27)).padStart(2, "0")},${10 + (c % 5) * 20 + v}`);
    }
    return lines.join("\n") + "\n";
  }
  const manifest = {
    datasets: {
      people: { title: "People", kind: "customers", file: "people.csv", format: "csv", columns: { id: "id", plan: "categorical", spend: "spend", visits: "numeric" }, experiment: { seed: 3 } },
      shop: { title: "Shop", kind: "transactions", file: "shop.csv", format: "csv", columns: { who: "id", day: "date", paid: "amount" }, experiment: { seed: 3, algorithms: ["kmeans"] } },
      club: { title: "Club", kind: "customers", file: "club.csv", format: "csv", columns: { id: "id", joined: "date", spend: "numeric", tier: "label", churned: "outcome", offer: { role: "offers" } }, experiment: { seed: 3, algorithms: ["kmeans"] } }
    }
  };
  function club(count: number, offset = 0, { outcome = true } = {}): string {
    const lines = [outcome ? "id,joined,spend,tier,churned,offer" : "joined,spend,extra"];
    for (let i = offset; i < offset + count; i++) {
      const g = i % 3;
      const joined = `2024-0${1 + g * 3}-${String(1 + (i % 27)).padStart(2, "0")}`;
      lines.push(outcome ? `m${i},${joined},${50 + g * 300 + (i % 11)},t${g},${i % 4 === 0 ? "yes" : "no"},${i % 2}` : `${joined},${50 + g * 300 + (i % 11)},x`);
    }
    return lines.join("\n") + "\n";
  }
  let dir: string;
  beforeAll(() => {
    dir = makeProject(manifest, { "people.csv": customers(90), "shop.csv": log(), "club.csv": club(120) });
    mkdirSync(join(dir, "out"));
    writeFileSync(join(dir, "out", "new.csv"), customers(12, 500));
    writeFileSync(join(dir, "out", "wrong.csv"), "id,spend\nc1,3\n");
  });
  afterAll(() => removeProject(dir));
  const score = (args: string[]) => runCommand(scoreCommand, args, { root: dir, cwd: join(dir, "out") });

  it("scores the training file with its saved model as the export labels it, for a table and a log", async () => {
    for (const dataset of ["people", "shop"]) {
      const fit = await score(["--dataset", dataset, "--save-model", `${dataset}.model.json`]);
      expect(fit.code, fit.stderr).toBe(0);
      const model = JSON.parse(readFileSync(join(dir, "out", `${dataset}.model.json`), "utf8"));
      expect(model.training.agreement).toBe(1);
      const again = await score(["--model", `${dataset}.model.json`, "--input", join(dir, "data", `${dataset}.csv`)]);
      expect(again.code, again.stderr).toBe(0);
      const a = JSON.parse(fit.stdout);
      const b = JSON.parse(again.stdout);
      expect(b.labels).toEqual(a.labels);
      expect(b.ids).toEqual(a.ids);
      // The labels of the recommended run, as npm run segment prints them.
      const seg = JSON.parse((await runCommand(segmentCommand, ["--dataset", dataset], { root: dir })).stdout);
      expect(b.ids).toEqual(seg.ids);
      expect(b.labels).toEqual(seg.runs.find((x: { id: string }) => x.id === seg.recommended.runId).labels);
      const exported = await runCommand(exportCommand, ["--dataset", dataset, "--out", `${dataset}.csv`], { root: dir, cwd: join(dir, "out") });
      expect(exported.code, exported.stderr).toBe(0);
      const rows: string[][] = [];
      parseRecords(readFileSync(join(dir, "out", `${dataset}.csv`), "utf8"), "csv", "x", (f) => void rows.push([...f]));
      const [header, ...body] = rows;
      const segment = header.indexOf("segment");
      const version = header.indexOf("model_version");
      const shown = new Map(model.segments.map((s: { label: number; segment: number }) => [s.label, s.segment]));
      expect(body.map((r) => Number(r[segment]))).toEqual(b.labels.map((l: number) => shown.get(l)));
      expect(body.map((r) => r[0])).toEqual(b.ids);
      expect(body[0][version]).toBe(model.modelVersion);
      expect(new Set(b.labels).size).toBeGreaterThanOrEqual(2);
    }
  });

  it("scores new customers, and the segments are the nearest centres' in the model", async () => {
    const r = await score(["--model", "people.model.json", "--input", "new.csv"]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.ids).toEqual(Array.from({ length: 12 }, (_, i) => `c${500 + i}`));
    // Same plan and same spend pattern as training customers with the same i mod 21 → same segment.
    const train = JSON.parse((await score(["--dataset", "people"])).stdout);
    for (let i = 0; i < 12; i++) {
      const twin = train.ids.indexOf(`c${(500 + i) % 21}`);
      expect(out.labels[i]).toBe(train.labels[twin]);
    }
    expect(out.model.segments.map((s: { segment: number }) => s.segment).sort()).toEqual(Array.from({ length: out.model.segments.length }, (_, i) => i + 1));
  });

  it("reads only what the model needs: no outcome, label, offers or id; date features independent of the other rows", async () => {
    const fit = await score(["--dataset", "club", "--save-model", "club.model.json"]);
    expect(fit.code, fit.stderr).toBe(0);
    const model = JSON.parse(readFileSync(join(dir, "out", "club.model.json"), "utf8"));
    expect(Object.keys(model.entry.columns).sort()).toEqual(["id", "joined", "spend"]);
    // New customers: no id, no label, no outcome, no offers, one extra column.
    writeFileSync(join(dir, "out", "club-new.csv"), club(9, 300, { outcome: false }));
    const all = await score(["--model", "club.model.json", "--input", "club-new.csv"]);
    expect(all.code, all.stderr).toBe(0);
    const out = JSON.parse(all.stdout);
    expect(out.ids).toEqual(Array.from({ length: 9 }, (_, i) => String(i + 1)));
    expect(out.notes.join(" ")).toMatch(/no "id" column: customers are numbered by their row/);
    expect(out.notes.join(" ")).toMatch(/date features counted back from \d{4}-\d{2}-\d{2}, the training data's latest date/);
    // Each customer alone gets the label it got among the others.
    const lines = club(9, 300, { outcome: false }).trim().split("\n");
    for (let i = 1; i < lines.length; i++) {
      writeFileSync(join(dir, "out", "club-one.csv"), `${lines[0]}\n${lines[i]}\n`);
      const one = JSON.parse((await score(["--model", "club.model.json", "--input", "club-one.csv"])).stdout);
      expect(one.labels, lines[i]).toEqual([out.labels[i - 1]]);
    }
    // Without ids, two identical rows are two customers: both are scored.
    writeFileSync(join(dir, "out", "club-twins.csv"), `${lines[0]}\n${lines[1]}\n${lines[1]}\n`);
    expect(JSON.parse((await score(["--model", "club.model.json", "--input", "club-twins.csv"])).stdout).labels).toEqual([out.labels[0], out.labels[0]]);
    const asOf = await score(["--model", "club.model.json", "--input", "club-new.csv", "--snapshot", "2025-06-30"]);
    expect(JSON.parse(asOf.stdout).notes.join(" ")).toMatch(/date features counted back from 2025-06-30 \(--snapshot\)/);
  });

  it("refuses what it cannot do, with a message", async () => {
    const model = JSON.parse(readFileSync(join(dir, "out", "people.model.json"), "utf8"));
    const flipped = structuredClone(model);
    flipped.preparation.scaling[0].scale = -1;
    writeFileSync(join(dir, "out", "flipped.model.json"), JSON.stringify(flipped));
    model.segmentModel.centroids[0].pop();
    writeFileSync(join(dir, "out", "damaged.model.json"), JSON.stringify(model));
    writeFileSync(join(dir, "out", "semicolons.csv"), customers(3, 700).replaceAll(",", ";"));
    mkdirSync(join(dir, "out", "out"), { recursive: true });
    const cases: Array<[string[], RegExp]> = [
      [[], /give either --model or --dataset/],
      [["--model", "people.model.json"], /--input is required with --model/],
      [["--model", "nope.json", "--input", "new.csv"], /model file not found/],
      [["--model", "new.csv", "--input", "new.csv"], /not valid JSON/],
      [["--model", "people.model.json", "--input", "wrong.csv"], /column "plan" is missing: the model "kmeans k=\d" of "people" reads csv files with the columns id \(optional\), plan, spend, visits/],
      [["--dataset", "people", "--save-model", join(dir, "dist", "m.json")], /--save-model is inside dist\//],
      [["--model", "people.model.json", "--input", "new.csv", "--snapshot", "2024-02-30"], /--snapshot: not a date on the calendar/],
      [["--model", "damaged.model.json", "--input", "new.csv"], /the model file is damaged: the centroids are not \d+ numbers each/],
      [["--model", "flipped.model.json", "--input", "new.csv"], /the model file is damaged: matrix column "[^"]+" has a bad centre or scale/],
      [["--model", "people.model.json", "--input", "semicolons.csv"], /this file looks semicolon-separated, the model reads comma-separated files/],
      [["--dataset", "people", "--save-model", "out"], /--save-model is a folder/]
    ];
    for (const [args, message] of cases) {
      const r = await score(args);
      expect(r.code, args.join(" ")).not.toBe(0);
      expect(r.stderr, args.join(" ")).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
