/**
 * Whether dist/ is already the build of the current inputs, so a warm `npm run build` with
 * nothing changed skips Framework (5–7 s of page compiling and bundling for the same bytes).
 * The inputs are everything `observable build` reads from the project: src/ (pages,
 * components, and the loader outputs in Framework's cache, which the fingerprints keep fresh),
 * observablehq.config.ts with the engine modules it imports (pages, sidebar), data/manifest.json
 * (the routes) and package-lock.json (the installed Framework). dist/ itself is hashed too, so a
 * site edited or damaged after the build is built again.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, sep } from "node:path";
import { localModuleGraph } from "./imports.ts";

/** The stamp of the last build: the digests of its inputs and of the dist/ it wrote. */
function stampFile(root: string): string {
  return join(root, "src", ".observablehq", "site-build.json");
}

/** Framework's own bundles and bookkeeping in its cache: written by the build, not read from the project. */
const FRAMEWORK_OWN = new Set(["_node", "_npm", "_observablehq", "_build.json"]);

function treeDigest(dir: string, skip: (relative: string) => boolean = () => false): string {
  const hash = createHash("sha256");
  if (!existsSync(dir)) return "missing";
  const files = (readdirSync(dir, { recursive: true, withFileTypes: true }) as import("node:fs").Dirent[])
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath ?? e.path, e.name).slice(dir.length + 1))
    .filter((f) => !skip(f))
    .sort();
  for (const f of files) hash.update(`${f}\0`).update(readFileSync(join(dir, f))).update("\0");
  return hash.digest("hex");
}

function inputsDigest(root: string): string {
  const cache = [".observablehq", "cache"].join(sep);
  const hash = createHash("sha256");
  hash.update(treeDigest(join(root, "src"), (f) => f === [".observablehq", "site-build.json"].join(sep) || (f.startsWith(cache + sep) && FRAMEWORK_OWN.has(f.slice(cache.length + 1).split(sep)[0]))));
  // The config and the engine modules it imports (the sidebar's pages, the manifest reader).
  const config = join(root, "observablehq.config.ts");
  const files = [...(existsSync(config) ? localModuleGraph(config) : [config]), join(root, "package-lock.json"), join(root, "data", "manifest.json")];
  for (const f of files) hash.update(`${f.slice(root.length)}\0`).update(existsSync(f) ? readFileSync(f) : "missing").update("\0");
  return hash.digest("hex");
}

/** True when dist/ holds the build of exactly the current inputs. */
export function siteIsCurrent(root: string): boolean {
  try {
    const stamp = JSON.parse(readFileSync(stampFile(root), "utf8")) as { inputs?: string; dist?: string };
    return stamp.inputs === inputsDigest(root) && stamp.dist === treeDigest(join(root, "dist"));
  } catch {
    return false;
  }
}

/** Records that dist/ was just built from the current inputs. */
export function recordSiteBuild(root: string): void {
  writeFileSync(stampFile(root), JSON.stringify({ inputs: inputsDigest(root), dist: treeDigest(join(root, "dist")) }) + "\n");
}
