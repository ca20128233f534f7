import { spawn, type ChildProcess } from "node:child_process";
import { appendFileSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeProject, processesIn, removeProject, REPO, until as untilTrue } from "./helpers/project.ts";

// npm run dev: a changed data file reaches the preview without restarting it.
const manifest = {
  datasets: {
    shop: {
      title: "Shop",
      kind: "customers",
      file: "shop.csv",
      format: "csv",
      columns: { customer: "id", spend: "numeric" },
      experiment: { seed: 1, algorithms: ["kmeans"], grid: { kmeans: { k: [2] } } }
    },
    wholesale: {
      title: "Wholesale",
      kind: "customers",
      file: "wholesale_customers.csv",
      format: "csv",
      columns: { Fresh: "numeric", Milk: "numeric" },
      experiment: { seed: 1, algorithms: ["kmeans"], grid: { kmeans: { k: [2] } } }
    }
  }
};
const port = 41000 + (process.pid % 1000);
let dir: string;
let server: ChildProcess;
let log = "";

const get = async (path: string) => {
  const r = await fetch(`http://127.0.0.1:${port}${path}`);
  if (!r.ok) throw new Error(`${path}: HTTP ${r.status}\n${log}`);
  return r.json();
};
/** `f()` once `ok` holds for it (a request may fail while the server starts: that is "not yet"). */
const until = async <T>(f: () => Promise<T>, ok: (v: T) => boolean): Promise<T> => {
  let value!: T;
  let failure: unknown;
  await untilTrue(async () => {
    try {
      value = await f();
      return ok(value);
    } catch (error) {
      failure = error;
      return false;
    }
  }).catch((timeout) => {
    throw failure ?? timeout;
  });
  return value;
};

beforeAll(async () => {
  dir = makeProject(manifest, {
    "shop.csv": "customer,spend\na,1\nb,2\nc,3\nd,10\ne,11\nf,12\n",
    "wholesale_customers.csv": readFileSync(join(REPO, "data", "wholesale_customers.csv"))
  });
  server = spawn(process.execPath, ["--import", "tsx", "loaders/cli/dev.ts", "--port", String(port), "--no-open"], {
    cwd: dir,
    env: { ...process.env, WORKBENCH_ROOT: dir, NO_COLOR: "1" }
  });
  server.stdout!.on("data", (d) => (log += d));
  server.stderr!.on("data", (d) => (log += d));
  await until(() => get("/_file/data/shop/report/overview.json"), () => true);
});

afterAll(() => {
  server?.kill();
  removeProject(dir);
});

describe("npm run dev", () => {
  it("serves fresh loader output after a data file changes, re-running only that dataset", async () => {
    expect((await get("/_file/data/shop/report/overview.json")).rows).toBe(6);
    await get("/_file/data/wholesale/report/overview.json");
    const mark = log.length;
    appendFileSync(join(dir, "data", "shop.csv"), "g,4\n");
    const summary = await until(() => get("/_file/data/shop/report/overview.json"), (s: any) => s.rows === 7);
    expect(summary.rows).toBe(7);
    await get("/_file/data/wholesale/report/overview.json");
    const after = log.slice(mark);
    expect(after).toMatch(/load \/data\/shop\/report\.tar → \[missing\]/);
    expect(after).not.toMatch(/load \/data\/wholesale\/report\.tar → \[(missing|stale)\]/);
  });

  it("shows a dataset added to the manifest without a restart", async () => {
    const m = structuredClone(manifest) as any;
    m.datasets.extra = { ...m.datasets.shop, title: "Extra shop" };
    writeFileSync(join(dir, "data", "manifest.json"), JSON.stringify(m));
    const overview = await until(() => get("/_file/data/extra/report/overview.json"), (o: any) => o?.dataset?.title === "Extra shop");
    expect(overview.dataset.title).toBe("Extra shop");
    const page = await until(() => fetch(`http://127.0.0.1:${port}/shop/`).then((r) => r.text()), (html) => html.includes("Extra shop"));
    expect(page).toContain("Extra shop");
  });

  it("reuses the cache when nothing changed", async () => {
    const before = statSync(join(dir, "src/.observablehq/cache/data/shop/report/overview.json")).mtimeMs;
    await get("/_file/data/shop/report/overview.json");
    expect(statSync(join(dir, "src/.observablehq/cache/data/shop/report/overview.json")).mtimeMs).toBe(before);
  });

  it("stops the preview server and every loader it started on SIGTERM", async () => {
    // A dataset whose loader is running when the signal comes.
    const m = structuredClone(manifest) as any;
    m.datasets.wholesale.experiment = { seed: 3 };
    writeFileSync(join(dir, "data", "manifest.json"), JSON.stringify(m));
    const cacheDir = join(dir, "src/.observablehq/cache/data/wholesale");
    // Once the watcher has dropped the stale output, asking for the page's data starts its loader.
    await untilTrue(() => !existsSync(join(cacheDir, "report.tar")));
    void fetch(`http://127.0.0.1:${port}/_file/data/wholesale/report/overview.json`).catch(() => {});
    await untilTrue(() => existsSync(cacheDir) && readdirSync(cacheDir).some((f) => /^report\.tar\.\d+$/.test(f)));
    const exited = new Promise<number | null>((done) => server.on("close", (code) => done(code)));
    server.kill("SIGTERM");
    expect(await exited).toBe(143);
    await untilTrue(() => processesIn(dir).length === 0);
  });
});
