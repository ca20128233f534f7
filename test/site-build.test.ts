import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeProject, removeProject, REPO, runScript } from "./helpers/project.ts";
import { thirdPartyLoads } from "./helpers/thirdParty.ts";

// A small project: the real Wholesale file and a tiny transaction log, built offline.
const manifest = {
  datasets: {
    shop: {
      title: "Shop",
      kind: "transactions",
      file: "shop.csv",
      format: "csv",
      columns: { customer: "id", day: "date", amount: "amount" },
      experiment: { seed: 1, algorithms: ["kmeans"], grid: { kmeans: { k: [2, 3] } } }
    },
    wholesale: {
      title: "Wholesale",
      kind: "customers",
      file: "wholesale_customers.csv",
      format: "csv",
      columns: { Channel: "label", Region: "categorical", Fresh: "numeric", Milk: "numeric", Grocery: "numeric" },
      experiment: { seed: 1, algorithms: ["kmeans"], grid: { kmeans: { k: [2, 3] } } }
    }
  }
};
const shop = ["customer,day,amount"];
for (let c = 0; c < 40; c++) for (let t = 0; t <= c % 4; t++) shop.push(`c${c},2024-0${1 + t}-1${c % 10},${10 + c + t}`);
const files = {
  "shop.csv": shop.join("\n") + "\n",
  "wholesale_customers.csv": readFileSync(join(REPO, "data", "wholesale_customers.csv"))
};

let dir: string;
const cache = (path: string) => join(dir, "src", ".observablehq", "cache", path);
const mtime = (path: string) => statSync(cache(path)).mtimeMs;
/** Cached outputs of the dataset loaders, by dataset. */
const outputsOf = (dataset: string) =>
  readdirSync(cache(`data/${dataset}`), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(cache("").length));
const snapshot = (dataset: string) => Object.fromEntries(outputsOf(dataset).map((p) => [p, mtime(p)]));
const build = () => {
  const r = runScript(dir, "build.ts");
  if (r.code !== 0) throw new Error(`build failed:\n${r.stderr}`);
  return r;
};

beforeAll(() => {
  dir = makeProject(manifest, files);
  build();
}, 300_000);
afterAll(() => removeProject(dir));

describe("npm run build", () => {
  it("builds a home page and a report per dataset", () => {
    expect(existsSync(join(dir, "dist", "index.html"))).toBe(true);
    for (const d of ["shop", "wholesale"]) expect(existsSync(join(dir, "dist", d, "index.html"))).toBe(true);
  });

  it("references no third-party host for code, styles or fonts", () => {
    expect(thirdPartyLoads(join(dir, "dist"))).toEqual([]);
  });

  it("does no loader work when nothing changed", () => {
    const before = { ...snapshot("shop"), ...snapshot("wholesale") };
    const r = build();
    expect(r.stdout).not.toMatch(/\[(missing|stale)\]/);
    expect({ ...snapshot("shop"), ...snapshot("wholesale") }).toEqual(before);
  }, 120_000);

  it("re-runs exactly the loaders of a dataset whose file changed", () => {
    const wholesale = snapshot("wholesale");
    const shopBefore = snapshot("shop");
    appendFileSync(join(dir, "data", "shop.csv"), "c99,2024-06-01,5\n");
    build();
    for (const [path, time] of Object.entries(shopBefore)) expect(mtime(path), path).toBeGreaterThan(time);
    expect(snapshot("wholesale")).toEqual(wholesale);
    const overview = JSON.parse(readFileSync(cache("data/shop/report/overview.json"), "utf8"));
    expect(overview.rows).toBe(shop.length); // header line replaced by the appended row
  }, 120_000);

  it("re-runs a dataset's loaders when its manifest entry changes, and no others", () => {
    const wholesale = snapshot("wholesale");
    const m = structuredClone(manifest);
    m.datasets.shop.title = "Shop, renamed";
    writeFileSync(join(dir, "data", "manifest.json"), JSON.stringify(m));
    build();
    expect(JSON.parse(readFileSync(cache("data/shop/report/overview.json"), "utf8")).dataset.title).toBe("Shop, renamed");
    expect(snapshot("wholesale")).toEqual(wholesale);
  }, 120_000);

  it("re-runs the loaders that import a changed engine module", () => {
    const home = mtime("index.md");
    const before = { ...snapshot("shop"), ...snapshot("wholesale") };
    appendFileSync(join(dir, "loaders", "io", "parse.ts"), "\n// changed\n");
    build();
    for (const [path, time] of Object.entries(before)) expect(mtime(path), path).toBeGreaterThan(time);
    // The home page's loader does not import the parser, so it is not re-run.
    expect(mtime("index.md")).toBe(home);
  }, 120_000);

  it("stops on bad input with the reader's message, leaves dist/ as it was and the file unchanged", () => {
    const index = readFileSync(join(dir, "dist", "index.html"), "utf8");
    const bad = "customer,day,amount\nc1,2024-01-01,12\nc2,2024-13-01,5\n";
    writeFileSync(join(dir, "data", "shop.csv"), bad);
    const r = runScript(dir, "build.ts");
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/data\/shop\.csv, line 3, column "day": is not a valid date; found "2024-13-01"/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(readFileSync(join(dir, "dist", "index.html"), "utf8")).toBe(index);
    expect(readFileSync(join(dir, "data", "shop.csv"), "utf8")).toBe(bad);
    expect(readdirSync(dir).filter((f) => f.startsWith("dist."))).toEqual([]);
  }, 120_000);
});

describe("thirdPartyLoads", () => {
  it("flags stylesheets, fonts and modules from other hosts but not links", () => {
    const site = join(dir, "probe");
    mkdirSync(site, { recursive: true });
    writeFileSync(
      join(site, "a.html"),
      '<link rel="stylesheet" href="https://fonts.googleapis.com/css2?family=x"><a href="https://archive.ics.uci.edu/">UCI</a>'
    );
    writeFileSync(join(site, "b.js"), 'import x from "https://cdn.jsdelivr.net/npm/d3@7/+esm"; const ns = "http://www.w3.org/2000/svg";');
    writeFileSync(join(site, "c.css"), "@font-face{src:url(//fonts.gstatic.com/x.woff2)}");
    expect(thirdPartyLoads(site).map((f) => f.url.split("/")[2])).toEqual(["fonts.googleapis.com", "cdn.jsdelivr.net", "fonts.gstatic.com"]);
  });
});
