import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO } from "./helpers/project.ts";

const DRIVERS = /^import\b[^;]*\bfrom\s*"(pg|pg-cursor|@duckdb\/node-api)"/m;

describe("commands started from their bundle", () => {
  it("load the database drivers only when a source needs them, carry arquero, and have their worker threads bundled", () => {
    // Bundled, a driver imported by a module that is itself loaded on demand becomes a static
    // import of the whole bundle: DuckDB's native library and pg cost every start about 0.15 s.
    // A folder of its own, so the bundles looked at are the ones made from these sources (inside
    // node_modules: a bundle finds its packages from where it lies).
    mkdirSync(join(REPO, "node_modules", ".cache"), { recursive: true }); // not there yet after npm ci
    const cache = mkdtempSync(join(REPO, "node_modules", ".cache", "workbench-cli-test-"));
    try {
      for (const command of ["segment", "score", "export", "value", "drift", "personas"]) {
        const r = spawnSync(process.execPath, [join(REPO, "loaders", "cli", "launch.mjs"), command, "--help"], {
          cwd: REPO,
          encoding: "utf8",
          env: { ...process.env, WORKBENCH_CLI_CACHE: cache }
        });
        expect(r.status, r.stderr).toBe(0);
        const made = readdirSync(cache).filter((n) => n.startsWith(`${command}-`));
        expect(made).toHaveLength(1);
        const text = readFileSync(join(cache, made[0]), "utf8");
        expect(text).toMatch(/import\("pg"\)/);
        expect(text).toMatch(/import\("@duckdb\/node-api"\)/);
        expect(text).not.toMatch(DRIVERS);
        // arquero is inlined: its 170 modules took 0.1 s to load at every start.
        expect(text).not.toMatch(/\bfrom\s*"arquero"/);
      }
      // The worker threads' modules, bundled once for every command, as CommonJS.
      const workers = readdirSync(cache).filter((n) => n.startsWith("worker-")).sort();
      expect(workers.map((n) => n.replace(/-[0-9a-f]{16}\.cjs$/, ""))).toEqual(["worker-cluster-kmeansWorker", "worker-experiment-gridHelperWorker", "worker-io-scanWorker"]);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  }, 120_000);
});
