import { resolve } from "node:path";

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
