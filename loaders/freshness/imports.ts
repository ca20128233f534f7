import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";

// Static and dynamic imports, re-exports, and `new URL("./x.ts", import.meta.url)` (worker
// scripts), with a relative specifier.
const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\bnew\s+URL\(\s*)["'](\.{1,2}\/[^"']+)["']/g;

/**
 * The local modules a file depends on, itself included, following relative imports
 * transitively. Package imports are left out: package-lock.json changes re-run everything
 * anyway (see fingerprint.ts).
 */
export function localModuleGraph(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, "utf8");
    for (const match of text.matchAll(IMPORT)) {
      const target = resolveModule(resolve(dirname(file), match[1]));
      if (target) visit(target);
    }
  };
  visit(resolve(entry));
  return [...seen].sort();
}

function resolveModule(path: string): string | undefined {
  for (const candidate of [path, `${path}.ts`, `${path}.js`, resolve(path, "index.ts")]) {
    if (existsSync(candidate) && !candidate.endsWith("/")) {
      try {
        readFileSync(candidate);
        return candidate;
      } catch {
        // a directory: try the next candidate
      }
    }
  }
  return undefined;
}
