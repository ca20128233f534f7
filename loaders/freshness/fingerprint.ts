import { createHash } from "node:crypto";
import { closeSync, existsSync, openSync, readdirSync, readSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Manifest } from "../manifest/types.ts";
import { dataFilePath } from "../paths.ts";
import { personaCachePath } from "../personas/cache.ts";
import { localModuleGraph } from "./imports.ts";
import type { LoaderTarget } from "./targets.ts";

/**
 * A hash of everything a loader output is computed from: the loader's module graph, the
 * installed package versions (package-lock.json), and the data it reads — its dataset's manifest
 * entry and files (snapshots included) for a loader under [dataset], otherwise the whole manifest
 * and every file; for a database, `databases` holds what stands for its rows —
 * and SOURCE_DATE_EPOCH, which fixes the build date shown in reports.
 * Framework itself only compares the loader file's mtime with its cached output.
 */
export function fingerprint(root: string, target: LoaderTarget, manifest: Manifest, databases: ReadonlyMap<string, string>, memo = new Map<string, string>()): string {
  const hash = createHash("sha256");
  const add = (label: string, value: string) => hash.update(`${label}\0${value}\0`);
  const srcRoot = join(root, "src");
  for (const file of localModuleGraph(join(srcRoot, target.loader))) add(file.slice(root.length), fileHash(file, memo));
  add("lock", fileHash(join(root, "package-lock.json"), memo));
  const datasets = target.dataset ? manifest.datasets.filter((d) => d.name === target.dataset) : manifest.datasets;
  for (const d of datasets) {
    add("entry", JSON.stringify(d));
    if (d.format === "sql") {
      // A database has no file: its fingerprint (source/fingerprint.ts), taken by the caller.
      const print = databases.get(d.name);
      if (print === undefined) throw new Error(`internal: no fingerprint of the database of "${d.name}"`);
      add("database", print);
    } else add("file", dataFileHash(root, d.file, d.name, memo));
    // A customer table's earlier snapshots (the Drift page reads them).
    if (d.snapshots?.kind === "files") for (const s of d.snapshots.files) add(`snapshot ${s.file}`, dataFileHash(root, s.file, d.name, memo));
    // LLM-written persona summaries the report shows (npm run personas writes them).
    add("personas", fileHash(personaCachePath(d.name, root), memo));
  }
  if (!target.dataset) add("names", manifest.datasets.map((d) => d.name).join(","));
  // The report's build date follows it (loaders/report/experiments.ts).
  add("SOURCE_DATE_EPOCH", process.env.SOURCE_DATE_EPOCH ?? "");
  return hash.digest("hex");
}

/**
 * A file's sha256, or what stands in its place: "missing", "unreadable" (no permission, ...) —
 * the reader reports those when the loader runs — and "outside" for a data file outside data/,
 * which is never read.
 */
function fileHash(path: string, memo: Map<string, string>): string {
  let h = memo.get(path);
  if (h === undefined) {
    try {
      h = existsSync(path) ? contentHash(path) : "missing";
    } catch {
      h = "unreadable";
    }
    memo.set(path, h);
  }
  return h;
}

/**
 * The sha256 of a file's bytes; of a folder (a Parquet dataset written by Spark as part files),
 * the hash of its files' names and hashes, in name order.
 */
export function contentHash(path: string): string {
  const hash = createHash("sha256");
  if (!statSync(path).isDirectory()) {
    // Piece by piece: a file past 2 GB cannot be read whole.
    const fd = openSync(path, "r");
    try {
      const piece = Buffer.allocUnsafe(1 << 24);
      for (let n = readSync(fd, piece); n > 0; n = readSync(fd, piece)) hash.update(piece.subarray(0, n));
    } finally {
      closeSync(fd);
    }
    return hash.digest("hex");
  }
  const files = (readdirSync(path, { recursive: true }) as string[]).filter((f) => statSync(join(path, f)).isFile()).sort();
  for (const file of files) hash.update(`${file}\0${contentHash(join(path, file))}\0`);
  return hash.digest("hex");
}

function dataFileHash(root: string, file: string, dataset: string, memo: Map<string, string>): string {
  try {
    return fileHash(dataFilePath(file, dataset, root), memo);
  } catch {
    return "outside";
  }
}
