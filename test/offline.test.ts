import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FRAMEWORK_NPM_VERSIONS, frameworkNpmImports } from "../loaders/cli/npmVersions.ts";
import { makeProject, removeProject, REPO } from "./helpers/project.ts";

/**
 * A first build of a fresh clone with no network at all: in a network namespace of its own
 * (`unshare -n`) where the machine allows it, otherwise with every fetch of every node process
 * failing as it does offline. Either way the build must not need the npm registry or a CDN.
 */
const manifest = {
  datasets: {
    wholesale: {
      title: "Wholesale",
      kind: "customers",
      file: "wholesale_customers.csv",
      format: "csv",
      columns: { Channel: "label", Fresh: "numeric", Milk: "numeric", Grocery: "numeric" },
      experiment: { seed: 1, algorithms: ["kmeans"], grid: { kmeans: { k: [2, 3] } } }
    }
  }
};
const dir = makeProject(manifest, { "wholesale_customers.csv": readFileSync(join(REPO, "data", "wholesale_customers.csv")) });
const home = mkdtempSync(join(tmpdir(), "home-"));
afterAll(() => {
  removeProject(dir);
  rmSync(home, { recursive: true, force: true });
});

const unshare = spawnSync("unshare", ["-n", "true"]).status === 0;
const noFetch = join(home, "no-fetch.mjs");
writeFileSync(noFetch, 'globalThis.fetch = async (url) => { throw new TypeError(`fetch failed: no network (${url})`); };\n');

describe("the first build of a fresh clone, offline", () => {
  it(`succeeds ${unshare ? "in a network namespace with no network (unshare -n)" : "with every fetch failing"}`, () => {
    expect(existsSync(join(dir, "src", ".observablehq"))).toBe(false);
    const command = unshare ? ["unshare", "-n", process.execPath] : [process.execPath];
    const env = { ...process.env, WORKBENCH_ROOT: dir, HOME: home, NO_COLOR: "1", NODE_OPTIONS: unshare ? "" : `--import=${noFetch}` };
    const r = spawnSync(command[0], [...command.slice(1), "--import", "tsx", join(dir, "loaders", "cli", "build.ts")], { cwd: dir, env, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toMatch(/fetch failed|npm:[\w@/-]+@latest/);
    expect(existsSync(join(dir, "dist", "wholesale", "segments.html"))).toBe(true);
    // Telemetry is off: Framework would have written its id to ~/.observablehq.
    expect(existsSync(join(home, ".observablehq"))).toBe(false);
  });

  it("knows a version for every npm: import of Framework's client", () => {
    expect(frameworkNpmImports(REPO).filter((name) => !(name in FRAMEWORK_NPM_VERSIONS))).toEqual([]);
  });
});
