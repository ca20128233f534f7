import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { WorkbenchError } from "../loaders/errors.ts";
import { loadManifest, parseManifest } from "../loaders/manifest/load.ts";
import type { ExperimentOptions } from "../loaders/manifest/types.ts";

// Validation of a manifest entry's "experiment" section: every message names the manifest file
// and the path of the offending value (datasets.<name>.experiment.<path>).
const FILE = "data/manifest.json";
const customers = { title: "T", kind: "customers", file: "t.csv", format: "csv", columns: { x: "numeric" } };
const transactions = { title: "T", kind: "transactions", file: "t.csv", format: "csv", columns: { c: "id", d: "date", a: "amount" } };

function parse(experiment: unknown, base: object = customers): ExperimentOptions {
  return parseManifest({ datasets: { t: { ...base, experiment } } }, FILE).datasets[0].experiment;
}

/** The WorkbenchError that `experiment` raises; checks it names the file and `path`. */
function failure(experiment: unknown, path: string, base: object = customers): string {
  try {
    parse(experiment, base);
  } catch (error) {
    expect(error).toBeInstanceOf(WorkbenchError);
    const e = error as WorkbenchError;
    expect(e.where.file).toBe(FILE);
    expect(e.where.field).toBe(path === "" ? "datasets.t.experiment" : `datasets.t.experiment.${path}`);
    expect(e.message.startsWith(`${FILE}, field "${e.where.field}": `)).toBe(true);
    return e.message;
  }
  throw new Error(`expected a WorkbenchError for ${JSON.stringify(experiment)}`);
}

const grid = (g: object) => ({ grid: g });

describe("experiment: a single value where a list is expected", () => {
  it("k as a text", () => {
    expect(failure(grid({ kmeans: { k: "4" } }), "grid.kmeans.k")).toMatch(
      /: must be a list; found "4", expected a list, e.g. \[3, 4, 5\]\. For one value write \[4\]$/
    );
  });
  it("eps as a number (it used to crash with 'eps is not iterable')", () => {
    expect(failure(grid({ dbscan: { eps: 0.5 } }), "grid.dbscan.eps")).toMatch(/must be a list; found "0.5", expected a list, e.g. \[0.5, 1\]\. For one value write \[0.5\]/);
  });
  it("linkage, covariance and algorithms as one text (they used to be read letter by letter)", () => {
    expect(failure(grid({ hierarchical: { linkage: "ward" } }), "grid.hierarchical.linkage")).toMatch(
      /must be a list; found "ward", expected a list, e.g. \["ward", "average"\]\. For one value write \["ward"\]/
    );
    expect(failure(grid({ gmm: { covariance: "diag" } }), "grid.gmm.covariance")).toMatch(/must be a list; found "diag", expected a list, e.g. \["full", "diag"\]/);
    expect(failure({ algorithms: "kmeans" }, "algorithms")).toMatch(/must be a list; found "kmeans", expected a list, e.g. \["kmeans", "gmm"\]/);
  });
  it("a single value that would not be valid in a list gets no 'write [..]' hint", () => {
    expect(failure(grid({ hierarchical: { linkage: "median" } }), "grid.hierarchical.linkage")).not.toMatch(/For one value/);
  });
});

describe("experiment: values inside lists", () => {
  it("k = 0 is named with its position", () => {
    expect(failure(grid({ kmeans: { k: [2, 0] } }), "grid.kmeans.k[1]")).toMatch(/: must be a whole number ≥ 1; found "0"$/);
  });
  it("k written as text, or not whole", () => {
    expect(failure(grid({ gmm: { k: ["4"] } }), "grid.gmm.k[0]")).toMatch(/must be a whole number ≥ 1; found "4"\. Write the number without quotes: 4/);
    expect(failure(grid({ hierarchical: { k: [2.5] } }), "grid.hierarchical.k[0]")).toMatch(/must be a whole number ≥ 1; found "2.5"/);
  });
  it("empty lists and repeated values", () => {
    expect(failure(grid({ kmeans: { k: [] } }), "grid.kmeans.k")).toMatch(/must list at least one value; found "\[\]"/);
    expect(failure(grid({ kmeans: { k: [3, 4, 3] } }), "grid.kmeans.k[2]")).toMatch(/repeats an earlier value; found "3", expected each value once/);
    expect(failure({ algorithms: ["gmm", "gmm"] }, "algorithms[1]")).toMatch(/repeats an earlier value/);
    expect(failure({ algorithms: [] }, "algorithms")).toMatch(/must list at least one value/);
  });
  it("unknown names", () => {
    expect(failure({ algorithms: ["kmeans", "svm"] }, "algorithms[1]")).toMatch(/unknown value; found "svm", expected one of kmeans, gmm, hierarchical, dbscan/);
    expect(failure(grid({ hierarchical: { linkage: ["ward", "median"] } }), "grid.hierarchical.linkage[1]")).toMatch(/expected one of ward, average, complete, single/);
    expect(failure(grid({ gmm: { covariance: ["spherical"] } }), "grid.gmm.covariance[0]")).toMatch(/expected one of full, diag/);
  });
  it("eps must be > 0", () => {
    expect(failure(grid({ dbscan: { eps: [0.5, 0] } }), "grid.dbscan.eps[1]")).toMatch(/must be a number > 0; found "0"/);
    expect(failure(grid({ dbscan: { eps: ["1"] } }), "grid.dbscan.eps[0]")).toMatch(/Write the number without quotes: 1/);
  });
});

describe("experiment: single numbers", () => {
  const cases: Array<[object, string, RegExp]> = [
    [{ seed: -1.5 }, "seed", /must be a whole number; found "-1\.5"/],
    [{ seed: "42" }, "seed", /must be a whole number; found "42"\. Write the number without quotes: 42/],
    [{ seed: null }, "seed", /must be a whole number; found "null"/],
    [grid({ kmeans: { nInit: 0 } }), "grid.kmeans.nInit", /must be a whole number ≥ 1; found "0"/],
    [grid({ kmeans: { maxIter: 1.5 } }), "grid.kmeans.maxIter", /must be a whole number ≥ 1/],
    [grid({ kmeans: { tol: -1e-4 } }), "grid.kmeans.tol", /must be a number ≥ 0; found "-0.0001"/],
    [grid({ gmm: { nInit: "3" } }), "grid.gmm.nInit", /must be a whole number ≥ 1; found "3"\. Write the number without quotes: 3/],
    [grid({ gmm: { tol: "small" } }), "grid.gmm.tol", /must be a number ≥ 0; found "small"$/],
    [grid({ dbscan: { minPoints: 0 } }), "grid.dbscan.minPoints", /must be a whole number ≥ 1/],
    [{ recommend: { k: "4" } }, "recommend.k", /must be a whole number ≥ 1; found "4"\. Write the number without quotes: 4/],
    [{ recommend: { k: 0 } }, "recommend.k", /must be a whole number ≥ 1; found "0"/],
    [{ recommend: { minSegmentShare: 0.6 } }, "recommend.minSegmentShare", /must be a number from 0 to 0.5; found "0.6"/],
    [{ recommend: { minSegmentShare: -0.1 } }, "recommend.minSegmentShare", /must be a number from 0 to 0.5/],
    [{ recommend: { metric: "accuracy" } }, "recommend.metric", /unknown value; found "accuracy", expected one of silhouette, daviesBouldin, calinskiHarabasz, bic/],
    [{ recommend: { algorithm: "svm" } }, "recommend.algorithm", /unknown value; found "svm", expected one of kmeans, gmm, hierarchical, dbscan/],
    [{ recommend: { kRange: [5, 3] } }, "recommend.kRange", /must be \[fewest, most\] segments, two whole numbers with 2 ≤ fewest ≤ most; found "\[5,3\]"/],
    [{ recommend: { kRange: 4 } }, "recommend.kRange", /must be \[fewest, most\] segments/],
    [{ recommend: { kRange: [1, 4] } }, "recommend.kRange", /2 ≤ fewest/],
    [{ recommend: { minStability: 1.5 } }, "recommend.minStability", /must be a number from 0 to 1; found "1.5"/]
  ];
  for (const [experiment, path, message] of cases) {
    it(`${path} = ${JSON.stringify(Object.values(experiment)[0])}`, () => expect(failure(experiment, path)).toMatch(message));
  }
});

describe("experiment: objects and unknown fields at every level", () => {
  it("misspellings are refused, with a suggestion (they used to be ignored)", () => {
    expect(failure(grid({ kMeans: { k: [3] } }), "grid.kMeans")).toMatch(/: unknown field, expected one of kmeans, gmm, hierarchical, dbscan, minibatch\. Did you mean "kmeans"\?$/);
    expect(failure({ recomend: { k: 3 } }, "recomend")).toMatch(/unknown field, expected one of seed, algorithms, grid, recommend, snapshot\. Did you mean "recommend"\?/);
  });
  const levels: Array<[object, string, string]> = [
    [{ seeds: 1 }, "seeds", "seed, algorithms, grid, recommend, snapshot"],
    [grid({ spectral: {} }), "grid.spectral", "kmeans, gmm, hierarchical, dbscan"],
    [grid({ kmeans: { n_init: 4 } }), "grid.kmeans.n_init", "k, nInit, maxIter, tol"],
    [grid({ gmm: { regCovar: 1e-6 } }), "grid.gmm.regCovar", "covariance, k, nInit, maxIter, tol"],
    [grid({ hierarchical: { nInit: 2 } }), "grid.hierarchical.nInit", "linkage, k"],
    [grid({ dbscan: { k: [3] } }), "grid.dbscan.k", "eps, minPoints"],
    [{ recommend: { metrics: "bic" } }, "recommend.metrics", "metric, kRange, minSegmentShare, minStability, algorithm, k"]
  ];
  for (const [experiment, path, allowed] of levels) {
    it(`unknown field ${path}`, () => expect(failure(experiment, path)).toContain(`unknown field, expected one of ${allowed}`));
  }
  it("non-objects where an object is expected", () => {
    expect(failure("kmeans", "")).toMatch(/must be an object; found "kmeans"/);
    expect(failure(grid([]), "grid")).toMatch(/must be an object; found "\[\]"/);
    expect(failure(grid({ kmeans: [3, 4] }), "grid.kmeans")).toMatch(/must be an object; found "\[3,4\]", expected \{…\} with fields among k, nInit, maxIter, tol/);
    expect(failure({ recommend: "gmm" }, "recommend")).toMatch(/must be an object/);
  });
});

describe("experiment: snapshot", () => {
  it("must be a real YYYY-MM-DD date", () => {
    expect(failure({ snapshot: "1998/07/01" }, "snapshot", transactions)).toMatch(/must be a date as YYYY-MM-DD; found "1998\/07\/01", expected e.g. 1998-07-01/);
    expect(failure({ snapshot: "1998-02-30" }, "snapshot", transactions)).toMatch(/is not a day on the calendar; found "1998-02-30"/); // no 30 February
    expect(failure({ snapshot: 19980701 }, "snapshot", transactions)).toMatch(/found "19980701"/);
  });
  it("applies to transaction logs only", () => {
    expect(failure({ snapshot: "1998-07-01" }, "snapshot")).toMatch(/a snapshot date applies to transaction logs only/);
    expect(parse({ snapshot: "1998-07-01" }, transactions).snapshot).toBe("1998-07-01");
  });
});

describe("experiment: settings that could never take effect", () => {
  it("a grid for an algorithm left out of experiment.algorithms", () => {
    expect(failure({ algorithms: ["kmeans"], grid: { gmm: { k: [3] } } }, "grid.gmm")).toMatch(
      /sets a grid for an algorithm that is not run, expected one of experiment.algorithms \(kmeans\)\. Add gmm to experiment.algorithms or remove grid.gmm/
    );
  });
  it("a pinned algorithm left out of experiment.algorithms", () => {
    expect(failure({ algorithms: ["kmeans", "gmm"], recommend: { algorithm: "dbscan" } }, "recommend.algorithm")).toMatch(
      /pins an algorithm that is not run; found "dbscan", expected one of experiment.algorithms \(kmeans, gmm\)/
    );
  });
  it("bic without a Gaussian mixture to score", () => {
    expect(failure({ recommend: { metric: "bic", algorithm: "kmeans" } }, "recommend.metric")).toMatch(/bic scores Gaussian mixture \(gmm\) runs only, not kmeans runs/);
    expect(failure({ algorithms: ["kmeans"], recommend: { metric: "bic" } }, "recommend.metric")).toMatch(/gmm is not run/);
  });
});

describe("experiment: valid sections", () => {
  it("a section using every field is returned unchanged", () => {
    const full = {
      seed: 7,
      algorithms: ["kmeans", "gmm", "hierarchical", "dbscan"],
      grid: {
        kmeans: { k: [3, 4, 5], nInit: 8, maxIter: 300, tol: 0.0001 },
        gmm: { k: [2, 3], covariance: ["full", "diag"], nInit: 3, maxIter: 200, tol: 0 },
        hierarchical: { k: [4], linkage: ["ward", "average", "complete", "single"] },
        dbscan: { eps: [0.5, 1], minPoints: 10 }
      },
      recommend: { metric: "bic", minSegmentShare: 0.05, algorithm: "gmm", k: 3 },
      snapshot: "1998-07-01"
    };
    const copy = structuredClone(full);
    expect(parse(full, transactions)).toEqual(copy);
    expect(full).toEqual(copy); // the input is not modified
  });
  it("bounds are inclusive where stated", () => {
    expect(parse({ seed: 0, recommend: { minSegmentShare: 0 } }).recommend).toEqual({ minSegmentShare: 0 });
    expect(parse({ recommend: { minSegmentShare: 0.5, k: 1 } }).recommend).toEqual({ minSegmentShare: 0.5, k: 1 });
  });
  it("any whole number is a seed, as on the command line", () => {
    expect(parse({ seed: -1 }).seed).toBe(-1);
  });

  it("an absent or empty section gets the default seed", () => {
    expect(parse(undefined)).toEqual({ seed: 42 });
    expect(parse({})).toEqual({ seed: 42 });
    expect(parse({ algorithms: ["kmeans"] })).toEqual({ seed: 42, algorithms: ["kmeans"] });
  });
  it("the shipped manifest is valid", () => {
    expect(loadManifest().datasets.length).toBeGreaterThan(0);
  });
});

describe("the manifest's JSON", () => {
  it("a syntax error names its line and character", () => {
    const dir = mkdtempSync(join(tmpdir(), "manifest-"));
    try {
      const path = join(dir, "manifest.json");
      writeFileSync(path, '{\n  "datasets": {\n    "a": { "title": "A",\n      "kind": "customers" "file": "x.csv" }\n  }\n}\n');
      expect(() => loadManifest(path)).toThrow(/manifest\.json, line 4: is not valid JSON: .* at character 27\. Fix the JSON syntax there/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("columns: what they measure, display names and churn outcomes", () => {
  const entry = (columns: object, extra: object = {}) => parseManifest({ datasets: { t: { ...customers, columns, ...extra } } }, FILE).datasets[0];
  const error = (columns: object, extra: object = {}) => {
    try {
      entry(columns, extra);
    } catch (e) {
      expect(e).toBeInstanceOf(WorkbenchError);
      return (e as WorkbenchError).message;
    }
    throw new Error("expected a WorkbenchError");
  };

  it("reads a tag written as a role, or as `as` on another role, with the role it implies", () => {
    const e = entry({
      wine: "spend",
      meat: { role: "spend", display: "meat" },
      deals: "deals",
      web: "purchases",
      cmp1: "offers",
      cmp2: { role: "numeric", as: "offers" },
      recency: "recency",
      joined: "signup",
      income: { role: "numeric", display: "household income" }
    });
    expect(e.columns).toEqual({ wine: "numeric", meat: "numeric", deals: "numeric", web: "numeric", cmp1: "profile", cmp2: "numeric", recency: "numeric", joined: "date", income: "numeric" });
    expect(e.tags).toEqual({ wine: "spend", meat: "spend", deals: "deals", web: "purchases", cmp1: "offers", cmp2: "offers", recency: "recency", joined: "signup" });
    expect(e.display).toEqual({ meat: "meat", income: "household income" });
  });

  it("marks an outcome as churn when asked, or when its name says so", () => {
    expect(entry({ x: "numeric", Churn: { role: "outcome", positive: "Yes" } }).outcome).toEqual({ column: "Churn", positive: "Yes", churn: true });
    expect(entry({ x: "numeric", Response: "outcome" }).outcome).toEqual({ column: "Response", churn: false });
    expect(entry({ x: "numeric", Left: { role: "outcome", churn: true } }).outcome).toEqual({ column: "Left", churn: true });
  });

  it("names the column and the fix for a tag on the wrong role, an unknown tag, or churn on a non-outcome", () => {
    expect(error({ x: "numeric", plan: { role: "categorical", as: "spend" } })).toMatch(/field "datasets\.t\.columns\.plan": "spend" tags a numeric or profile column; found "the role categorical", expected the role numeric or profile/);
    expect(error({ x: "numeric", joined: { role: "numeric", as: "signup" } })).toMatch(/columns\.joined": "signup" tags a date column/);
    expect(error({ x: "numeric", y: { role: "numeric", as: "wallet" } })).toMatch(/columns\.y\.as": unknown value; found "wallet", expected one of spend, deals, purchases, offers, recency, interval, signup/);
    expect(error({ x: "numeric", y: { role: "numeric", churn: true } })).toMatch(/"positive" and "churn" describe an outcome column/);
    expect(error({ x: "numeric", y: "wallet" })).toMatch(/unknown column role; found "wallet", expected one of id, .*, spend, deals, purchases, offers, recency, interval, signup/);
    expect(error({ c: "id", d: "date", a: "amount", s: "spend" }, { kind: "transactions" })).toMatch(/"spend" describes a column of a customer table/);
  });

  it("validates segmentTypes thresholds and fills the rest with the defaults", () => {
    expect(entry({ x: "numeric" }, { segmentTypes: { newDays: 30 } }).segmentTypes).toMatchObject({ newDays: 30, inactiveDays: 180, highValueShare: 0.2 });
    expect(error({ x: "numeric" }, { segmentTypes: { highValueShare: 1.5 } })).toMatch(/segmentTypes\.highValueShare": must be a number from 0 to 1; found "1.5"/);
    expect(error({ x: "numeric" }, { segmentTypes: { newdays: 30 } })).toMatch(/unknown field.*Did you mean "newDays"\?/);
  });
});
