import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** A report archive's members as parsed JSON, unpacked in `where`, with the run timings (the one varying field) zeroed. */
export function archiveMembers(archive: Buffer, where: string): Record<string, any> {
  mkdirSync(where, { recursive: true });
  writeFileSync(join(where, "r.tar"), archive);
  execFileSync("tar", ["-xf", "r.tar"], { cwd: where });
  const out: Record<string, any> = {};
  for (const file of readdirSync(where).filter((f) => f.endsWith(".json"))) {
    out[file] = JSON.parse(readFileSync(join(where, file), "utf8"), (key, value) => (key === "seconds" ? 0 : value));
  }
  return out;
}
