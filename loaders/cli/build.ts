/**
 * `npm run build`: builds the static site into dist/ with fresh loader outputs.
 * 1. removes what killed builds left (temporary folders, half-written cache files);
 * 2. validates the manifest (a bad entry stops here with its message);
 * 3. removes cached loader outputs whose inputs changed (loaders/freshness; all of them with
 *    `--force`, for a database change its fingerprint does not show);
 * 4. runs the datasets' stale loaders, several at a time (prewarm.ts);
 * 5. unless dist/ is already the build of exactly these inputs (freshness/site.ts), runs
 *    `observable build` into a temporary folder, and only if it succeeds replaces dist/ with it,
 *    so a failed or interrupted build never leaves a partial site. Ctrl-C (or a SIGTERM) stops
 *    Framework and its loaders with it.
 */
import { existsSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { runMain, WorkbenchError } from "../errors.ts";
import { invalidateStale } from "../freshness/invalidate.ts";
import { loadManifest } from "../manifest/load.ts";
import { projectRoot } from "../paths.ts";
import { readDataset } from "../io/read.ts";
import { databaseFingerprints } from "../source/fingerprint.ts";
import { readThroughSql } from "../source/connect.ts";
import { checkSnapshotIds } from "../drift/snapshots.ts";
import { removeLeftovers, startFramework, stopWithSignals, withoutFrameworkBanner } from "./observable.ts";
import { prewarm } from "./prewarm.ts";
import { loaderTargets } from "../freshness/targets.ts";
import { recordSiteBuild, siteIsCurrent } from "../freshness/site.ts";
import type { ChildProcess } from "node:child_process";

await runMain(async () => {
  const root = projectRoot();
  const removed = removeLeftovers(root);
  if (removed.length) process.stderr.write(`removed what an interrupted build left: ${removed.join(", ")}\n`);
  const manifest = loadManifest();
  const force = process.argv.includes("--force");
  // A database's fingerprint is its row count and newest date: `--force` recomputes every report
  // for the changes those do not show.
  const inv = invalidateStale(root, manifest, await databaseFingerprints(manifest), { force });
  // Read every text file whose outputs will be computed, so bad input stops the build with its
  // own message before Framework starts (a database or Parquet file reports in its loader).
  const cached = new Set(inv.fresh.map((t) => t.dataset));
  for (const entry of manifest.datasets) if (!cached.has(entry.name) && !readThroughSql(entry)) checkSnapshotIds(readDataset(entry));
  if (inv.stale.length) {
    process.stderr.write(`inputs changed, re-running: ${inv.stale.map((t) => t.output).join(", ")}\n`);
  }
  const out = `dist.tmp-${process.pid}`;
  const temporary = join(root, out);
  const children = new Set<ChildProcess>();
  stopWithSignals(() => [...children], () => rmSync(temporary, { recursive: true, force: true }));
  // The datasets' reports, several at a time, ahead of Framework (which runs loaders one by one).
  const fresh = new Set(inv.fresh.map((t) => t.output));
  const missing = loaderTargets(join(root, "src"), manifest).filter((t) => !fresh.has(t.output));
  await prewarm(root, manifest, missing, children);
  if (siteIsCurrent(root)) {
    process.stderr.write("dist/ is up to date: no page, loader output, setting or package changed since it was built\n");
    return;
  }
  rmSync(temporary, { recursive: true, force: true });
  const child = startFramework(root, ["build"], { env: { WORKBENCH_OUT: out, WORKBENCH_ROOT: root }, stdio: ["ignore", "inherit", "pipe"] });
  children.add(child);
  child.stderr!.pipe(withoutFrameworkBanner()).pipe(process.stderr);
  const code = await new Promise<number>((done, fail) => {
    child.on("error", fail);
    child.on("close", (c) => done(c ?? 1));
  });
  if (code !== 0) {
    rmSync(temporary, { recursive: true, force: true });
    throw new WorkbenchError("the build failed; dist/ was left as it was", {
      hint: "The first error above says what to fix"
    });
  }
  const dist = join(root, "dist");
  const old = `${dist}.old-${process.pid}`;
  if (existsSync(dist)) renameSync(dist, old);
  renameSync(temporary, dist);
  rmSync(old, { recursive: true, force: true });
  recordSiteBuild(root);
});
