/**
 * Runs the build's stale per-dataset loaders before Framework does, several at a time.
 * Framework runs loaders one after another, and a cold build of several datasets spends most of
 * its time in them (CDNOW's report alone is half a minute). Each output is written as Framework
 * writes it (to `<output>.<pid>` in its cache, renamed when complete), so Framework then finds it
 * fresh and serves it. A loader that fails is left for Framework to run again, so a user's error
 * is reported exactly as without this step.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, mkdirSync, openSync, renameSync, rmSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { dataFilePath } from "../paths.ts";
import { cacheRoot } from "../freshness/stamp.ts";
import type { LoaderTarget } from "../freshness/targets.ts";
import type { Manifest } from "../manifest/types.ts";

/** Loaders at once: one per core, at most this many (each holds a dataset in memory). */
export const MAX_PARALLEL_LOADERS = 4;

/**
 * Runs `targets` (loaders with a dataset) `parallel` at a time, the largest data file first so
 * the longest loader does not start last. Resolves when all have ended; `running` lists the
 * live children for the signal handler.
 */
export async function prewarm(
  root: string,
  manifest: Manifest,
  targets: LoaderTarget[],
  running: Set<ChildProcess>,
  parallel = Math.min(availableParallelism(), MAX_PARALLEL_LOADERS)
): Promise<void> {
  const size = new Map(targets.map((t) => [t, dataSize(root, manifest, t)]));
  const queue = targets.filter((t) => t.dataset !== undefined).sort((a, b) => size.get(b)! - size.get(a)!);
  const worker = async () => {
    // A failed loader is not reported here: Framework runs it again and reports its error.
    for (let t = queue.shift(); t; t = queue.shift()) await runLoader(root, t, running);
  };
  await Promise.all(Array.from({ length: Math.max(1, parallel) }, worker));
}

/** Runs one loader into Framework's cache (kept only if it succeeded). Its stderr lines are prefixed with the dataset. */
function runLoader(root: string, target: LoaderTarget, running: Set<ChildProcess>): Promise<void> {
  const cachePath = join(cacheRoot(root), target.output);
  const temporary = `${cachePath}.${process.pid}`;
  mkdirSync(dirname(cachePath), { recursive: true });
  const fd = openSync(temporary, "w");
  const child = spawn(process.execPath, ["--import", "tsx", join("src", target.loader), `--dataset=${target.dataset}`], {
    cwd: root,
    detached: true,
    stdio: ["ignore", fd, "pipe"],
    env: { ...process.env, WORKBENCH_ROOT: root }
  });
  running.add(child);
  let pending = "";
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
    const lines = (pending + chunk).split("\n");
    pending = lines.pop()!;
    for (const line of lines) process.stderr.write(`[${target.dataset}] ${line}\n`);
  });
  return new Promise((resolve) => {
    child.on("close", (code) => {
      running.delete(child);
      closeSync(fd);
      if (pending) process.stderr.write(`[${target.dataset}] ${pending}\n`);
      if (code === 0) renameSync(temporary, cachePath);
      else rmSync(temporary, { force: true });
      resolve();
    });
  });
}

/** Bytes of the data file a target reads (0 when unknown), to start the longest loaders first. */
function dataSize(root: string, manifest: Manifest, target: LoaderTarget): number {
  const entry = manifest.datasets.find((d) => d.name === target.dataset);
  try {
    return entry ? statSync(dataFilePath(entry.file, entry.name, root)).size : 0;
  } catch {
    return 0;
  }
}
