import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { reportArchive } from "../loaders/report/report.ts";

const dir = mkdtempSync(join(tmpdir(), "report-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The archive's members as parsed JSON, with the run timings (the one varying field) zeroed. */
function members(archive: Buffer, name: string): Record<string, unknown> {
  const where = join(dir, name);
  mkdirSync(where, { recursive: true });
  writeFileSync(join(where, "r.tar"), archive);
  execFileSync("tar", ["-xf", "r.tar"], { cwd: where });
  const out: Record<string, unknown> = {};
  for (const file of readdirSync(where).filter((f) => f.endsWith(".json"))) {
    out[file] = JSON.parse(readFileSync(join(where, file), "utf8"), (key, value) => (key === "seconds" ? 0 : value));
  }
  return out;
}

describe("a dataset's report", () => {
  it("is the same for the same data and settings, but for run timings", () => {
    process.env.SOURCE_DATE_EPOCH = "1764000000";
    try {
      const a = members(reportArchive("wholesale"), "a");
      const b = members(reportArchive("wholesale"), "b");
      expect(Object.keys(a).sort()).toEqual(["compare.json", "evaluation.json", "experiments.json", "overview.json", "segments.json"]);
      expect(JSON.stringify(b)).toBe(JSON.stringify(a));
      expect((a["experiments.json"] as { built: string }).built).toBe("2025-11-24");
    } finally {
      delete process.env.SOURCE_DATE_EPOCH;
    }
  });
});
