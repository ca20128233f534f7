import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO } from "./helpers/project.ts";

/**
 * The benchmark's stage runner still runs (it once broke unnoticed when the manifest began
 * refusing paths outside data/). Small data; nothing here is timed.
 */
describe("npm run bench stages", () => {
  it("times every stage and the default grid on generated customers", () => {
    const r = spawnSync(process.execPath, ["--import", "tsx", join(REPO, "bench", "stages.ts"), "3000", "--grid"], { cwd: REPO, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split("\n").at(-1)!);
    expect(out.n).toBe(3000);
    expect(Object.keys(out.stages)).toEqual(expect.arrayContaining(["read", "prepare", "Ward k=6", "default grid (32 runs + metrics + stability checks)"]));
    expect(out.notes.join(" ")).toMatch(/grid recommended \w+/);
  });

  it("times the whole segment process on a CSV (against pandas + scikit-learn where installed)", () => {
    const r = spawnSync(process.execPath, ["--import", "tsx", join(REPO, "bench", "wholeProcess.ts"), "3000"], { cwd: REPO, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^\| 3,000 × 8 overlapping, k-means k = 8 \| \d+\.\d\d \| (\d+\.\d\d \| \d+\.\d\d|– \(install python3-sklearn and python3-pandas\) \| –) \| \d+\.\d\d \| (\d+\.\d\d|–) \|$/m);
  });

  it("times the default grid on a CSV (against scikit-learn doing the same runs where installed)", () => {
    const r = spawnSync(process.execPath, ["--import", "tsx", join(REPO, "bench", "gridCompare.ts"), "3000"], { cwd: REPO, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/ours recommended: \w+/);
    expect(r.stdout.trim().split("\n").at(-1)).toMatch(/^\| 3,000 × 8 planted, default grid \(32 runs \+ metrics \+ stability\) \| \d+\.\d\d \| (\d+\.\d\d \| \d+\.\d\d|– \(install python3-sklearn and python3-pandas\) \| –) \| \d+\.\d\d \| (\d+\.\d\d \| \d+\.\d\d|– \| –) \|$/);
  }, 300_000);
});
