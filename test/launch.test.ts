import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO } from "./helpers/project.ts";

const CACHE = join(REPO, "node_modules", ".cache", "workbench-cli");
const DRIVERS = /^import\b[^;]*\bfrom\s*"(pg|pg-cursor|@duckdb\/node-api)"/m;

/** The bundle `launch.mjs` runs for `command` (the newest: written for the current sources). */
function bundleOf(command: string): string {
  const names = readdirSync(CACHE).filter((n) => n.startsWith(`${command}-`) && n.endsWith(".mjs"));
  const newest = names.sort((a, b) => statSync(join(CACHE, b)).mtimeMs - statSync(join(CACHE, a)).mtimeMs)[0];
  return readFileSync(join(CACHE, newest), "utf8");
}

describe("commands started from their bundle", () => {
  it("load the database drivers only when a source needs them", () => {
    // Bundled, a driver imported by a module that is itself loaded on demand becomes a static
    // import of the whole bundle: DuckDB's native library and pg cost every start about 0.15 s.
    for (const command of ["segment", "score", "export"]) {
      const r = spawnSync(process.execPath, [join(REPO, "loaders", "cli", "launch.mjs"), command, "--help"], { cwd: REPO, encoding: "utf8" });
      expect(r.status, r.stderr).toBe(0);
      const text = bundleOf(command);
      expect(text).toMatch(/import\("pg"\)/);
      expect(text).toMatch(/import\("@duckdb\/node-api"\)/);
      expect(text).not.toMatch(DRIVERS);
    }
  }, 120_000);
});
