/**
 * Files the commands write for the user (exports, models): never into the published site or the
 * data folder, and written whole or not at all.
 */
import { mkdirSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, resolve, sep } from "node:path";
import { WorkbenchError } from "../errors.ts";
import { projectRoot } from "../paths.ts";

/**
 * The output path, refused where it would be published (dist/, src/) or would touch the data
 * (data/: files are only ever read). Symbolic links are followed, through the nearest folder
 * that exists, so a link cannot lead the file into those folders. `example` names a file for
 * the hint; `why` says why the file must not be published.
 */
export function checkedOut(out: string, flag: string, { example, why: content }: { example: string; why: string }): string {
  const root = realpathSync(projectRoot());
  const real = resolve(realExisting(dirname(out)), basename(out));
  for (const [folder, why] of [["dist", "which the site publishes"], ["src", "which the site publishes"], ["data", "whose files are only ever read"]] as const) {
    const dir = resolve(root, folder);
    if (real === dir || real.startsWith(dir + sep)) {
      throw new WorkbenchError(`${flag} is inside ${folder}/, ${why}`, { found: out, hint: `Write it outside the project's dist/, src/ and data/ folders: ${content}` });
    }
  }
  let isFolder = false;
  try {
    isFolder = statSync(real).isDirectory();
  } catch {
    // A new file.
  }
  if (isFolder) throw new WorkbenchError(`${flag} is a folder`, { found: out, hint: `Name a file, e.g. ${flag} ${example}` });
  return real;
}

/** The real path of the nearest existing folder of `dir`, with the missing rest appended. */
function realExisting(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    const parent = dirname(dir);
    return parent === dir ? dir : resolve(realExisting(parent), basename(dir));
  }
}

/** Written whole or not at all: a temporary file beside the target, then renamed over it. */
export function writeAtomically(path: string, text: string, what: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(temp, text);
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw new WorkbenchError(`cannot write ${what}`, { found: path, hint: `Check the folder exists and is writable (${(error as Error).message})` });
  }
}
