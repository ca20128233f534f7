import { spawn } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeProject, processesIn, removeProject, REPO, runScript, until } from "./helpers/project.ts";
import { thirdPartyLoads } from "./helpers/thirdParty.ts";

// A small project: the real Wholesale file, a tiny transaction log and a log in the UCI Online
// Retail layout, built offline.
const manifest = {
  datasets: {
    retail: {
      title: "Online Retail layout",
      kind: "transactions",
      file: "retail.csv",
      format: "csv",
      dateFormat: "DD-MM-YY H:mm",
      columns: { InvoiceNo: "invoice", StockCode: "ignore", Description: "ignore", Quantity: "quantity", InvoiceDate: "date", UnitPrice: "price", CustomerID: "id", Country: "categorical" },
      cancellations: { invoicePrefix: "C" },
      experiment: { seed: 1, algorithms: ["kmeans"], grid: { kmeans: { k: [2, 3] } } }
    },
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
// 24 customers over four months; every fourth customer cancels part of an order (C invoices,
// negative quantities), and one customer only ever cancels.
const retail = ["InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country"];
let retailNet = 0;
let retailCancelled = 0;
for (let c = 0; c < 24; c++) {
  for (let t = 0; t <= c % 5; t++) {
    const [qty, price] = [1 + ((c + t) % 6), 1.25 * (1 + (c % 4))];
    retail.push(`${536365 + c * 10 + t},85123A,"WHITE HANGING HEART, T-LIGHT",${qty},${String(1 + ((c * 3 + t * 17) % 28)).padStart(2, "0")}-${["12-10", "01-11", "02-11", "03-11"][t % 4]} ${8 + (t % 9)}:${String((c * 7) % 60).padStart(2, "0")},${price},${17850 + c},United Kingdom`);
    retailNet += qty * price;
  }
  if (c % 4 === 0) {
    retail.push(`C${536900 + c},85123A,WHITE HANGING HEART,-1,20-03-11 9:00,${1.25 * (1 + (c % 4))},${17850 + c},United Kingdom`);
    retailNet -= 1.25 * (1 + (c % 4));
    retailCancelled++;
  }
}
retail.push("C537000,22633,HAND WARMER,-2,21-03-11 10:00,2.1,99999,France");
retailCancelled++;
const files = {
  "retail.csv": retail.join("\n") + "\n",
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
/** Outputs Framework is writing, or a killed build left: report.tar.<pid> of the wholesale loader. */
const partials = () => readdirSync(cache("data/wholesale")).filter((f) => /^report\.tar\.\d+$/.test(f));
const build = () => {
  const r = runScript(dir, "build.ts");
  if (r.code !== 0) throw new Error(`build failed:\n${r.stderr}`);
  return r;
};

beforeAll(() => {
  dir = makeProject(manifest, files);
  build();
});
afterAll(() => removeProject(dir));

describe("npm run build", () => {
  it("builds a home page and a report per dataset", () => {
    expect(existsSync(join(dir, "dist", "index.html"))).toBe(true);
    for (const d of ["retail", "shop", "wholesale"]) expect(existsSync(join(dir, "dist", d, "index.html"))).toBe(true);
  });

  it("builds an Online Retail layout log: amounts from quantity × price, cancellations netted", () => {
    const overview = JSON.parse(readFileSync(cache("data/retail/report/overview.json"), "utf8"));
    expect(overview.customers).toBe(24);
    expect(overview.transactions.cancellations).toMatchObject({ rows: retailCancelled, onlyCancelled: 1 });
    const segments = JSON.parse(readFileSync(cache("data/retail/report/segments.json"), "utf8")).segments;
    const monetary = segments.reduce((sum: number, s: any) => sum + s.size * s.profile.find((p: any) => p.feature === "monetary").mean, 0);
    expect(monetary).toBeCloseTo(retailNet, 1);
  });

  it("publishes no path of the build machine", () => {
    const paths = [dir, realpathSync(dir)];
    const hits: string[] = [];
    for (const entry of readdirSync(join(dir, "dist"), { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const text = readFileSync(join(entry.parentPath, entry.name), "latin1");
      for (const p of paths) if (text.includes(p)) hits.push(`${entry.name}: ${p}`);
    }
    expect(hits).toEqual([]);
  });

  it("references no third-party host for code, styles or fonts", () => {
    expect(thirdPartyLoads(join(dir, "dist"))).toEqual([]);
  });

  it("does no loader work and leaves dist/ as it is when nothing changed", () => {
    const before = { ...snapshot("retail"), ...snapshot("shop"), ...snapshot("wholesale") };
    const page = statSync(join(dir, "dist", "index.html")).mtimeMs;
    const r = build();
    expect(r.stdout).not.toMatch(/\[(missing|stale)\]/);
    expect(r.stderr).toMatch(/dist\/ is up to date/);
    expect({ ...snapshot("retail"), ...snapshot("shop"), ...snapshot("wholesale") }).toEqual(before);
    expect(statSync(join(dir, "dist", "index.html")).mtimeMs).toBe(page);
  });

  it("builds the site again when a page or the built site itself changed", () => {
    writeFileSync(join(dir, "src", "extra.md"), "# Extra\n");
    try {
      expect(build().stderr).not.toMatch(/dist\/ is up to date/);
      expect(existsSync(join(dir, "dist", "extra.html"))).toBe(true);
    } finally {
      rmSync(join(dir, "src", "extra.md"));
    }
    // The sidebar's pages come from an engine module the config imports.
    appendFileSync(join(dir, "loaders", "site", "pages.ts"), "\n// edited\n");
    expect(build().stderr).not.toMatch(/dist\/ is up to date/);
    appendFileSync(join(dir, "dist", "index.html"), "<!-- edited -->");
    expect(build().stderr).not.toMatch(/dist\/ is up to date/);
    expect(readFileSync(join(dir, "dist", "index.html"), "utf8")).not.toContain("edited");
  });

  it("re-runs exactly the loaders of a dataset whose file changed", () => {
    const wholesale = snapshot("wholesale");
    const shopBefore = snapshot("shop");
    appendFileSync(join(dir, "data", "shop.csv"), "c99,2024-06-01,5\n");
    const r = build();
    // The report ran ahead of Framework (several datasets at once, prefixed lines), which then found it fresh.
    expect(r.stderr).toMatch(/^\[shop\] /m);
    expect(r.stdout).toMatch(/load \/data\/shop\/report\.tar → \[fresh\]/);
    for (const [path, time] of Object.entries(shopBefore)) expect(mtime(path), path).toBeGreaterThan(time);
    expect(snapshot("wholesale")).toEqual(wholesale);
    const overview = JSON.parse(readFileSync(cache("data/shop/report/overview.json"), "utf8"));
    expect(overview.rows).toBe(shop.length); // header line replaced by the appended row
  });

  it("re-runs a dataset's loaders when its manifest entry changes, and no others", () => {
    const wholesale = snapshot("wholesale");
    const m = structuredClone(manifest);
    m.datasets.shop.title = "Shop, renamed";
    writeFileSync(join(dir, "data", "manifest.json"), JSON.stringify(m));
    build();
    expect(JSON.parse(readFileSync(cache("data/shop/report/overview.json"), "utf8")).dataset.title).toBe("Shop, renamed");
    expect(snapshot("wholesale")).toEqual(wholesale);
  });

  it("re-runs the loaders that import a changed engine module", () => {
    const home = mtime("index.md");
    const before = { ...snapshot("shop"), ...snapshot("wholesale") };
    appendFileSync(join(dir, "loaders", "io", "parse.ts"), "\n// changed\n");
    build();
    for (const [path, time] of Object.entries(before)) expect(mtime(path), path).toBeGreaterThan(time);
    // The home page's loader does not import the parser, so it is not re-run.
    expect(mtime("index.md")).toBe(home);
  });

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
    writeFileSync(join(dir, "data", "shop.csv"), shop.join("\n") + "\n");
  });

  it("stops on a data path that is a folder with a one-line error", () => {
    mkdirSync(join(dir, "data", "folder.csv"), { recursive: true });
    const m = structuredClone(manifest) as any;
    m.datasets.folder = { ...m.datasets.shop, file: "folder.csv" };
    writeFileSync(join(dir, "data", "manifest.json"), JSON.stringify(m));
    const r = runScript(dir, "build.ts");
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe("error: data/folder.csv: is a folder, not a data file. Put the file there, or fix \"file\" of dataset \"folder\" in data/manifest.json");
    writeFileSync(join(dir, "data", "manifest.json"), JSON.stringify(manifest));
  });

  it("stops everything when SIGTERM goes to npm, which exits without passing it on", async () => {
    const m = structuredClone(manifest) as any;
    m.datasets.wholesale.experiment = { seed: 4 };
    writeFileSync(join(dir, "data", "manifest.json"), JSON.stringify(m));
    const index = statSync(join(dir, "dist", "index.html")).mtimeMs;
    const before = partials();
    const npm = spawn("npm", ["run", "build"], { cwd: dir, env: { ...process.env, WORKBENCH_ROOT: dir, NO_COLOR: "1" }, stdio: "ignore" });
    await until(() => partials().some((f) => !before.includes(f)));
    npm.kill("SIGTERM");
    await until(() => processesIn(dir).length === 0);
    expect(readdirSync(dir).filter((f) => f.startsWith("dist."))).toEqual([]);
    expect(statSync(join(dir, "dist", "index.html")).mtimeMs).toBe(index);
  });

  it("stops Framework and every loader on SIGTERM, and the next build removes what they left", async () => {
    // The full default grid on Wholesale: loaders that run long enough to be interrupted.
    const m = structuredClone(manifest) as any;
    m.datasets.wholesale.experiment = { seed: 2 };
    writeFileSync(join(dir, "data", "manifest.json"), JSON.stringify(m));
    const index = statSync(join(dir, "dist", "index.html")).mtimeMs;
    const child = spawn(process.execPath, ["--import", "tsx", join(dir, "loaders", "cli", "build.ts")], {
      cwd: dir,
      env: { ...process.env, WORKBENCH_ROOT: dir, NO_COLOR: "1" },
      stdio: "ignore"
    });
    const exited = new Promise<number | null>((done) => child.on("close", (code) => done(code)));
    // Framework writes a running loader's output to report.tar.<its pid>: wait until one runs.
    const before = partials();
    const partial = () => partials().find((f) => !before.includes(f));
    await until(() => partial() !== undefined);
    const started = partial();
    child.kill("SIGTERM");
    expect(await exited).toBe(143);
    // Nothing of the build is left running: no process has the project as its working folder.
    await until(() => processesIn(dir).length === 0);
    expect(readdirSync(dir).filter((f) => f.startsWith("dist."))).toEqual([]);
    expect(statSync(join(dir, "dist", "index.html")).mtimeMs).toBe(index);
    // A half-written output is removed by the build as it stops (loaders run ahead of Framework
    // clean up after themselves), or else by the next build, which says so. Framework renames a
    // failed loader's partial to <name>.err when it outlives the loader by a moment.
    const name = started!;
    const left = [name, `${name}.err`].find((f) => existsSync(join(cache("data/wholesale"), f)));
    mkdirSync(join(dir, "dist.tmp-999999"));
    writeFileSync(join(dir, "data", "manifest.json"), JSON.stringify(manifest));
    const r = build();
    expect(r.stderr).toMatch(/removed what an interrupted build left: .*dist\.tmp-999999/);
    if (left) expect(r.stderr).toContain(left);
    expect(existsSync(join(dir, "dist.tmp-999999"))).toBe(false);
    expect(readdirSync(cache("data/wholesale")).filter((f) => /\.\d+$/.test(f))).toEqual([]);
  });
});
