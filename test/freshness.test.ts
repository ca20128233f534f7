import { appendFileSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { invalidateStale } from "../loaders/freshness/invalidate.ts";
import { cacheRoot, runLoader } from "../loaders/freshness/stamp.ts";
import { loadManifest } from "../loaders/manifest/load.ts";
import { makeProject, removeProject } from "./helpers/project.ts";

// The stamp is taken when a loader starts, so inputs that change while it runs make its output
// stale, never falsely fresh (the race a stamp taken after the run would lose).
const manifest = { datasets: { shop: { title: "Shop", kind: "customers", file: "shop.csv", format: "csv", columns: { spend: "numeric" } } } };
let dir: string;
let saved: string | undefined;
const output = "data/shop/report.tar";
const ids = (xs: Array<{ output: string }>) => xs.map((t) => t.output);

beforeAll(() => {
  dir = makeProject(manifest, { "shop.csv": "spend\n1\n2\n" });
  saved = process.env.WORKBENCH_ROOT;
  process.env.WORKBENCH_ROOT = dir;
});
afterAll(() => {
  if (saved === undefined) delete process.env.WORKBENCH_ROOT;
  else process.env.WORKBENCH_ROOT = saved;
  removeProject(dir);
});

/** Runs the report loader's entry logic in-process, with `during` standing in for its work. */
async function runReportLoader(during: () => void): Promise<void> {
  const loader = pathToFileURL(join(dir, "src", "data", "[dataset]", "report.tar.ts")).href;
  const argv = process.argv;
  process.argv = [argv[0], argv[1], "--dataset=shop"];
  try {
    await runLoader(loader, () => {
      during();
      const path = join(cacheRoot(dir), output);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, "archive");
    });
  } finally {
    process.argv = argv;
  }
}

describe("loader stamps", () => {
  it("keep an output fresh while its inputs are unchanged", async () => {
    await runReportLoader(() => {});
    const inv = invalidateStale(dir, loadManifest());
    expect(ids(inv.fresh)).toContain(output);
    expect(ids(inv.stale)).not.toContain(output);
  });

  it("make an output stale when its data changed while the loader ran", async () => {
    await runReportLoader(() => appendFileSync(join(dir, "data", "shop.csv"), "3\n"));
    expect(ids(invalidateStale(dir, loadManifest()).stale)).toEqual([output]);
  });

  it("report a run in progress on outdated inputs as pending", async () => {
    await runReportLoader(() => {});
    invalidateStale(dir, loadManifest()); // fresh
    // Framework is re-writing the output (temp file <output>.<pid>) when the data changes.
    const path = join(cacheRoot(dir), output);
    renameSync(path, `${path}.4242`);
    appendFileSync(join(dir, "data", "shop.csv"), "4\n");
    expect(ids(invalidateStale(dir, loadManifest()).pending)).toEqual([output]);
  });

  it("make outputs stale when SOURCE_DATE_EPOCH changes (the report shows the build date)", async () => {
    await runReportLoader(() => {});
    process.env.SOURCE_DATE_EPOCH = "1700000000";
    try {
      expect(ids(invalidateStale(dir, loadManifest()).stale)).toContain(output);
    } finally {
      delete process.env.SOURCE_DATE_EPOCH;
    }
  });
});
