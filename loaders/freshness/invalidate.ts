import { existsSync, readdirSync, readFileSync, rmSync, statSync, utimesSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Manifest } from "../manifest/types.ts";
import { fingerprint } from "./fingerprint.ts";
import { cacheRoot, stampPath } from "./stamp.ts";
import { ARCHIVE, loaderTargets, type LoaderTarget } from "./targets.ts";

/**
 * Keeps Framework's loader cache honest. Framework re-runs a loader only when the loader file is
 * newer than its cached output; it does not know about the data files, the manifest or the
 * modules a loader imports. Each loader records, when it starts, the fingerprint of the inputs
 * it is about to read (stamp.ts); here we delete the outputs whose recorded inputs differ from
 * the current ones, so that exactly those loaders run again.
 */

export interface Invalidation {
  /** Outputs whose inputs changed and whose cache was removed. */
  stale: LoaderTarget[];
  /** Outputs whose cache is still valid. */
  fresh: LoaderTarget[];
  /**
   * Outputs not written yet by a loader that started from inputs that have changed since: a run
   * in progress whose result will be stale. Check again once it has finished.
   */
  pending: LoaderTarget[];
}

export function invalidateStale(root: string, manifest: Manifest, databases: ReadonlyMap<string, string> = new Map(), { force = false }: { force?: boolean } = {}): Invalidation {
  const cache = cacheRoot(root);
  const memo = new Map<string, string>();
  const result: Invalidation = { stale: [], fresh: [], pending: [] };
  for (const target of loaderTargets(join(root, "src"), manifest)) {
    const print = fingerprint(root, target, manifest, databases, memo);
    const stamp = readStamp(cache, target);
    if (!existsSync(join(cache, target.output))) {
      if (stamp !== undefined && stamp !== print && running(cache, target.output)) result.pending.push(target);
      continue;
    }
    if (stamp === print && !force) result.fresh.push(target);
    else {
      removeOutput(cache, target);
      result.stale.push(target);
    }
  }
  return result;
}

/**
 * For the preview server, which watches loader files, not their inputs: after stale outputs were
 * removed, touch their loader files so the open page reloads them, and move the still-fresh
 * outputs of those loaders past the loader's new mtime so they are not re-run needlessly.
 */
export function touchForPreview(root: string, inv: Invalidation): void {
  const cache = cacheRoot(root);
  const now = new Date();
  const later = new Date(now.getTime() + 1000);
  const loaders = new Set(inv.stale.map((t) => t.loader));
  for (const loader of loaders) utimesSync(join(root, "src", loader), now, now);
  for (const t of inv.fresh) {
    if (!loaders.has(t.loader)) continue;
    for (const path of outputPaths(cache, t)) touchTree(path, later);
  }
}

function touchTree(path: string, time: Date): void {
  if (!existsSync(path)) return;
  if (statSync(path).isDirectory()) for (const name of readdirSync(path)) touchTree(join(path, name), time);
  utimesSync(path, time, time);
}

function removeOutput(cache: string, target: LoaderTarget): void {
  for (const path of [...outputPaths(cache, target), stampPath(cache, target.output)]) rmSync(path, { recursive: true, force: true });
}

/** The cached output, plus, for an archive, the folder its members are extracted to. */
function outputPaths(cache: string, target: LoaderTarget): string[] {
  const path = join(cache, target.output);
  const m = ARCHIVE.exec(target.output);
  return m ? [path, join(dirname(path), target.output.slice(target.output.lastIndexOf("/") + 1, -m[0].length))] : [path];
}

/** Whether Framework is writing the output now: it writes to `<output>.<pid>`, then renames. */
function running(cache: string, output: string): boolean {
  const path = join(cache, output);
  const prefix = `${path.slice(dirname(path).length + 1)}.`;
  try {
    return readdirSync(dirname(path)).some((name) => name.startsWith(prefix) && /^\d+$/.test(name.slice(prefix.length)));
  } catch {
    return false;
  }
}

function readStamp(cache: string, target: LoaderTarget): string | undefined {
  try {
    return readFileSync(stampPath(cache, target.output), "utf8").trim();
  } catch {
    return undefined;
  }
}
