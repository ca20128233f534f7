import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const REPO = resolve(import.meta.dirname, "../..");

/**
 * A throw-away copy of the project (sources, engine, config; node_modules linked) with its own
 * data/ and manifest, so build tests can change data without touching the real project.
 */
export function makeProject(manifest: object, files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(join(tmpdir(), "workbench-"));
  for (const name of ["src", "loaders", "observablehq.config.ts", "package.json", "package-lock.json", "tsconfig.json"]) {
    cpSync(join(REPO, name), join(dir, name), {
      recursive: true,
      filter: (p) => !p.includes(".observablehq")
    });
  }
  symlinkSync(join(REPO, "node_modules"), join(dir, "node_modules"));
  writeProjectData(dir, manifest, files);
  return dir;
}

export function writeProjectData(dir: string, manifest: object, files: Record<string, string | Buffer>): void {
  cpSync(join(REPO, "data"), join(dir, "data"), { recursive: true, filter: (p) => !/\.(csv|txt|tsv|json)$/.test(p) });
  writeFileSync(join(dir, "data", "manifest.json"), JSON.stringify(manifest, null, 2));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, "data", name), content);
}

export function removeProject(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs an npm script's entry point in the project copy, as `npm run` would (INIT_CWD is the
 * caller's folder, here the project). The time bound only ends a hung run.
 */
export function runScript(dir: string, script: string, args: string[] = [], { cwd = dir, timeoutMs = 1_800_000 }: { cwd?: string; timeoutMs?: number } = {}): RunResult {
  const r = spawnSync(process.execPath, ["--import", "tsx", join(dir, "loaders", "cli", script), ...args], {
    cwd: dir,
    encoding: "utf8",
    timeout: timeoutMs,
    env: { ...process.env, WORKBENCH_ROOT: dir, INIT_CWD: cwd, FORCE_COLOR: "0", NO_COLOR: "1" },
    maxBuffer: 256 * 1024 * 1024
  });
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

export function readProjectFile(dir: string, path: string): string {
  return readFileSync(join(dir, path), "utf8");
}

/**
 * Polls a condition until it holds: a wait for a state, never for a time. The bound only ends
 * a hung wait (a busy machine may take minutes).
 */
export async function until(ok: () => boolean | Promise<boolean>, ms = 600_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`still not so after ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Ids of the processes whose working folder is `dir` (Framework and its loaders run there). */
export function processesIn(dir: string): number[] {
  const real = realpathSync(dir);
  return readdirSync("/proc")
    .filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid)
    .filter((p) => {
      try {
        return readlinkSync(`/proc/${p}/cwd`) === real;
      } catch {
        return false;
      }
    })
    .map(Number);
}
