import { existsSync } from "node:fs";
import { join } from "node:path";
import { Transform } from "node:stream";
import { WorkbenchError } from "../errors.ts";

/** Path of Observable Framework's CLI script in the project's node_modules. */
export function observableBin(root: string): string {
  const bin = join(root, "node_modules", "@observablehq", "framework", "dist", "bin", "observable.js");
  if (!existsSync(bin)) {
    throw new WorkbenchError("Observable Framework is not installed", { hint: "Run npm ci first" });
  }
  return bin;
}

/**
 * Drops Framework's "Unexpected error … file an issue" banner from its stderr: a failing loader
 * has already printed its own message, and the banner would send users to the wrong place.
 */
export function withoutFrameworkBanner(): Transform {
  const banner = /^(Unexpected error: loader exited|Tip: To see the full stack trace|If you think this is a bug|\u21b3 https:\/\/github\.com\/observablehq)/;
  let pending = "";
  return new Transform({
    transform(chunk, _encoding, done) {
      const lines = (pending + chunk.toString()).split("\n");
      pending = lines.pop()!;
      done(null, lines.filter((l) => !banner.test(l)).map((l) => l + "\n").join(""));
    },
    flush(done) {
      done(null, banner.test(pending) ? "" : pending);
    }
  });
}
