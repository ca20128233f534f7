import { spawn, type ChildProcess, type StdioOptions } from "node:child_process";
import { existsSync, readdirSync, rmSync } from "node:fs";
import { delimiter, join } from "node:path";
import { Transform } from "node:stream";
import { WorkbenchError } from "../errors.ts";
import { OUTPUT_EXTENSIONS } from "../freshness/targets.ts";
import { seedFrameworkNpmVersions } from "./npmVersions.ts";

/** Path of Observable Framework's CLI script in the project's node_modules. */
export function observableBin(root: string): string {
  const bin = join(root, "node_modules", "@observablehq", "framework", "dist", "bin", "observable.js");
  if (!existsSync(bin)) {
    throw new WorkbenchError("Observable Framework is not installed", { hint: "Run npm ci first" });
  }
  return bin;
}

/**
 * Starts `observable <args>` the way every command of the workbench does: telemetry off (it
 * would phone home and write ~/.observablehq), the project's tsx on PATH (Framework runs .ts
 * loaders with it, also when called without npm), Framework's npm version cache seeded (see
 * npmVersions.ts), and in a process group of its own, so that stopping the workbench stops
 * Framework and every loader it started (`stopFramework`).
 */
export function startFramework(root: string, args: string[], { env = {}, stdio }: { env?: NodeJS.ProcessEnv; stdio: StdioOptions }): ChildProcess {
  seedFrameworkNpmVersions(root);
  return spawn(process.execPath, [observableBin(root), ...args], {
    cwd: root,
    detached: true,
    stdio,
    env: {
      ...process.env,
      ...env,
      OBSERVABLE_TELEMETRY_DISABLE: "true",
      PATH: [join(root, "node_modules", ".bin"), process.env.PATH].filter(Boolean).join(delimiter)
    }
  });
}

/**
 * Sends `signal` to Framework's whole process group: it and its loaders, which may outlive it.
 * A group already gone is fine.
 */
export function stopFramework(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group has already exited.
  }
}

/**
 * Ties the workbench's own lifetime to its children's (Framework, or loaders run ahead of it):
 * SIGINT, SIGTERM or SIGHUP to the workbench stop each child's group, then run `cleanup` and
 * exit as a signalled process would (128 + number). `children` is asked at the signal, so the
 * children may change over time; call this once per process.
 * The same happens when the workbench's parent dies: npm exits on SIGTERM without passing it
 * on to the script it runs (seen with npm 11), which would go on building and replace dist/ a
 * minute later; an orphan is adopted by another process, so a changed parent id tells.
 */
export function stopWithSignals(children: () => ChildProcess[], cleanup: () => void = () => {}): void {
  const codes = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
  let stopping = false;
  const stop = (signal: keyof typeof codes) => {
    if (stopping) return;
    stopping = true;
    const running = children().filter((c) => c.exitCode === null && c.signalCode === null);
    for (const child of running) stopFramework(child, signal === "SIGHUP" ? "SIGTERM" : signal);
    const done = () => {
      cleanup();
      process.exit(codes[signal]);
    };
    if (running.length === 0) done();
    else Promise.all(running.map((c) => new Promise((closed) => c.once("close", closed)))).then(done);
    // A loader that ignores the signal must not keep the workbench alive.
    setTimeout(() => {
      for (const child of running) stopFramework(child, "SIGKILL");
      done();
    }, 5000).unref();
  };
  for (const signal of Object.keys(codes) as Array<keyof typeof codes>) process.on(signal, () => stop(signal));
  const parent = process.ppid;
  setInterval(() => process.ppid !== parent && stop("SIGTERM"), 500).unref();
}

/** Whether a process with this id is running (one we may not signal still counts). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Removes what killed builds left behind: `dist.tmp-<pid>` and `dist.old-<pid>` folders, and
 * Framework's half-written cache files `<output>.<pid>` (and `.err`), whose process is gone.
 */
export function removeLeftovers(root: string): string[] {
  const removed: string[] = [];
  for (const name of readdirSync(root)) {
    const m = /^dist\.(?:tmp|old)-(\d+)$/.exec(name);
    if (m && !processAlive(Number(m[1]))) {
      rmSync(join(root, name), { recursive: true, force: true });
      removed.push(name);
    }
  }
  const cache = join(root, "src", ".observablehq", "cache");
  if (existsSync(cache)) {
    // Framework writes a loader's output to `<output>.<its pid>` and renames it when complete.
    const partial = new RegExp(`\\.(?:${OUTPUT_EXTENSIONS.join("|")})\\.(\\d+)(?:\\.err)?$`);
    for (const file of readdirSync(cache, { recursive: true }) as string[]) {
      const m = partial.exec(file);
      if (m && !processAlive(Number(m[1]))) {
        rmSync(join(cache, file), { force: true });
        removed.push(join("src", ".observablehq", "cache", file));
      }
    }
  }
  return removed;
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
