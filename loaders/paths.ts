import { realpathSync } from "node:fs";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { WorkbenchError } from "./errors.ts";

/**
 * Where the project lives. Loaders, the CLI and the build all run from the project root;
 * WORKBENCH_ROOT overrides it (tests build throw-away copies of the project).
 */
export function projectRoot(): string {
  return resolve(process.env.WORKBENCH_ROOT ?? process.cwd());
}

export function dataDir(root = projectRoot()): string {
  return resolve(root, "data");
}

export function manifestPath(root = projectRoot()): string {
  return resolve(dataDir(root), "manifest.json");
}

/**
 * The path of a manifest entry's data file, which must stay inside data/: the build reads
 * nothing else unless a user names it on the command line, so a manifest cannot publish
 * /etc/passwd or a neighbour's folder. The manifest's own check refuses absolute paths and
 * "..", this one also follows symbolic links. A missing file is returned as is, for the reader
 * to report.
 */
export function dataFilePath(file: string, dataset: string, root = projectRoot()): string {
  const dir = dataDir(root);
  const path = resolve(dir, file);
  let real: string | null = null;
  try {
    real = realpathSync(path);
  } catch {
    // Missing or unreadable: the reader says which.
  }
  if (!inside(dir, path) || (real !== null && !inside(realpathSync(dir), real))) {
    throw new WorkbenchError("the data file is outside the data/ folder", {
      file: "data/manifest.json",
      field: `datasets.${dataset}.file`,
      found: file,
      hint: "Copy the file into data/ and name it relative to data/ (e.g. \"sales.csv\"); a symbolic link must point inside data/ too"
    });
  }
  return path;
}

function inside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel !== "" && !rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel);
}
