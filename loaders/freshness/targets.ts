import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import type { Manifest } from "../manifest/types.ts";

/** Interpreter extensions Framework runs as loaders (we write TypeScript only). */
const LOADER = /^(.+)\.(ts|js)$/;
/** Output extensions we recognise for data and page loaders. */
export const OUTPUT_EXTENSIONS = ["json", "csv", "tsv", "txt", "tar", "md", "svg", "png"] as const;
const OUTPUT = new RegExp(`\\.(${OUTPUT_EXTENSIONS.join("|")})$`);
export const ARCHIVE = /\.(tar|zip|tgz|tar\.gz)$/;

/** One cached output of one loader, for one value of its route parameter. */
export interface LoaderTarget {
  /** Loader source, relative to the source root (e.g. data/[dataset]/report.tar.ts). */
  loader: string;
  /** Output path relative to the source root (e.g. data/wholesale/report.tar). */
  output: string;
  /** The dataset this output is for; undefined for loaders that depend on every dataset. */
  dataset?: string;
}

/**
 * Every output Framework can cache: each loader file in the source root, expanded over the
 * manifest's datasets when its path holds [dataset].
 */
export function loaderTargets(srcRoot: string, manifest: Manifest): LoaderTarget[] {
  const targets: LoaderTarget[] = [];
  for (const loader of walk(srcRoot, srcRoot)) {
    const m = LOADER.exec(loader);
    if (!m || !OUTPUT.test(m[1]) || loader.endsWith(".d.ts")) continue;
    const output = m[1];
    if (output.includes("[dataset]")) {
      for (const d of manifest.datasets) {
        targets.push({ loader, output: output.replaceAll("[dataset]", d.name), dataset: d.name });
      }
    } else {
      targets.push({ loader, output });
    }
  }
  return targets.sort((a, b) => (a.output < b.output ? -1 : 1));
}

function* walk(dir: string, root: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path, root);
    else yield relative(root, path);
  }
}
