import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Manifest } from "../manifest/types.ts";
import { fingerprint } from "./fingerprint.ts";
import { ARCHIVE, loaderTargets, type LoaderTarget } from "./targets.ts";

/**
 * Keeps Framework's loader cache honest. Framework re-runs a loader only when the loader file is
 * newer than its cached output; it does not know about the data files, the manifest or the
 * modules a loader imports. We record, per cached output, the fingerprint of its inputs, and
 * delete the outputs whose inputs changed, so that exactly those loaders run again.
 */

const STAMPS = "workbench-inputs.json";

export interface Invalidation {
  /** Outputs whose inputs changed and whose cache was removed. */
  stale: LoaderTarget[];
  /** Outputs whose cache is still valid. */
  fresh: LoaderTarget[];
  /** Fingerprints to record once the outputs exist again. */
  fingerprints: Map<string, string>;
}

export function cacheRoot(root: string): string {
  return join(root, "src", ".observablehq", "cache");
}

export function invalidateStale(root: string, manifest: Manifest): Invalidation {
  const cache = cacheRoot(root);
  const stamps = readStamps(cache);
  const memo = new Map<string, string>();
  const fingerprints = new Map<string, string>();
  const stale: LoaderTarget[] = [];
  const fresh: LoaderTarget[] = [];
  for (const target of loaderTargets(join(root, "src"), manifest)) {
    const print = fingerprint(root, target, manifest, memo);
    fingerprints.set(target.output, print);
    if (!existsSync(join(cache, target.output))) continue;
    if (stamps[target.output] === print) fresh.push(target);
    else {
      removeOutput(cache, target);
      stale.push(target);
    }
  }
  return { stale, fresh, fingerprints };
}

/**
 * Records the fingerprints of the current inputs for every output. Outputs that exist were
 * computed from them (stale ones were removed); missing ones will be, when next requested.
 */
export function recordFingerprints(root: string, fingerprints: Map<string, string>): void {
  const cache = cacheRoot(root);
  mkdirSync(cache, { recursive: true });
  const sorted = Object.fromEntries([...fingerprints].sort(([a], [b]) => (a < b ? -1 : 1)));
  writeFileSync(join(cache, STAMPS), JSON.stringify(sorted, null, 1) + "\n");
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
  for (const path of outputPaths(cache, target)) rmSync(path, { recursive: true, force: true });
}

/** The cached output, plus, for an archive, the folder its members are extracted to. */
function outputPaths(cache: string, target: LoaderTarget): string[] {
  const path = join(cache, target.output);
  const m = ARCHIVE.exec(target.output);
  return m ? [path, join(dirname(path), target.output.slice(target.output.lastIndexOf("/") + 1, -m[0].length))] : [path];
}

function readStamps(cache: string): Record<string, string> {
  try {
    return JSON.parse(readFileSync(join(cache, STAMPS), "utf8"));
  } catch {
    return {};
  }
}
