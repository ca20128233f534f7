import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tar } from "../loaders/report/tar.ts";

describe("tar", () => {
  it("writes an archive that tar(1) extracts, with the same bytes for the same content", () => {
    const files = { "b.json": '{"x":"é"}', "a.json": "[1,2,3]".repeat(200) };
    const archive = tar(files);
    expect(archive.length % 512).toBe(0);
    expect(tar(files).equals(archive)).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), "tar-"));
    try {
      writeFileSync(join(dir, "r.tar"), archive);
      execFileSync("tar", ["-xf", "r.tar"], { cwd: dir });
      for (const [name, text] of Object.entries(files)) expect(readFileSync(join(dir, name), "utf8")).toBe(text);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
