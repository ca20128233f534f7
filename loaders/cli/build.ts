/**
 * `npm run build`: builds the static site into dist/ with fresh loader outputs.
 * 1. validates the manifest (a bad entry stops here with its message);
 * 2. removes cached loader outputs whose inputs changed (loaders/freshness);
 * 3. runs `observable build` into a temporary folder, and only if it succeeds replaces dist/
 *    with it, so a failed build never leaves a partial site.
 */
import { spawn } from "node:child_process";
import { existsSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { runMain, WorkbenchError } from "../errors.ts";
import { invalidateStale } from "../freshness/invalidate.ts";
import { loadManifest } from "../manifest/load.ts";
import { projectRoot } from "../paths.ts";
import { readDataset } from "../io/read.ts";
import { observableBin, withoutFrameworkBanner } from "./observable.ts";

await runMain(async () => {
  const root = projectRoot();
  const manifest = loadManifest();
  const inv = invalidateStale(root, manifest);
  // Read every dataset whose outputs will be computed, so bad input stops the build with its
  // own message before Framework starts.
  const cached = new Set(inv.fresh.map((t) => t.dataset));
  for (const entry of manifest.datasets) if (!cached.has(entry.name)) readDataset(entry);
  if (inv.stale.length) {
    process.stderr.write(`inputs changed, re-running: ${inv.stale.map((t) => t.output).join(", ")}\n`);
  }
  const out = `dist.tmp-${process.pid}`;
  rmSync(join(root, out), { recursive: true, force: true });
  const code = await new Promise<number>((done, fail) => {
    const child = spawn(process.execPath, [observableBin(root), "build"], {
      cwd: root,
      env: { ...process.env, WORKBENCH_OUT: out, WORKBENCH_ROOT: root },
      stdio: ["ignore", "inherit", "pipe"]
    });
    child.stderr.pipe(withoutFrameworkBanner()).pipe(process.stderr);
    child.on("error", fail);
    child.on("close", (c) => done(c ?? 1));
  });
  if (code !== 0) {
    rmSync(join(root, out), { recursive: true, force: true });
    throw new WorkbenchError("the build failed; dist/ was left as it was", {
      hint: "The first error above says what to fix"
    });
  }
  const dist = join(root, "dist");
  const old = `${dist}.old-${process.pid}`;
  if (existsSync(dist)) renameSync(dist, old);
  renameSync(join(root, out), dist);
  rmSync(old, { recursive: true, force: true });
});
