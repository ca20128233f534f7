/**
 * Starts a command of the CLI (`node loaders/cli/launch.mjs segment ...`, what `npm run segment`
 * runs) from one bundled JavaScript file. Run through tsx, every start sent the engine's ~80
 * TypeScript modules through its loader hooks: 0.3 s of each run, a fifth of a 100k-row segment
 * run. esbuild writes the bundle (packages stay in node_modules, but for arquero and the two it
 * imports) on first use and again whenever a file under loaders/ or the package files change,
 * into node_modules/.cache; if it cannot, the command runs through tsx as before. Plain
 * JavaScript: it must start without tsx.
 * The engine's worker threads (each file under loaders/ named *Worker.ts) are bundled too, as
 * CommonJS, and registered for threads.ts: a worker then starts in about 25 ms, not 0.1–0.15 s.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const COMMANDS = ["segment", "value", "export", "personas", "score", "drift"];

const cli = dirname(fileURLToPath(import.meta.url));
const loaders = dirname(cli);
const root = dirname(loaders);
// WORKBENCH_CLI_CACHE: another folder for the bundles (tests, to look at the ones they made); it
// must lie inside the project, where the bundles find node_modules.
const cache = process.env.WORKBENCH_CLI_CACHE || join(root, "node_modules", ".cache", "workbench-cli");

const command = process.argv[2];
if (!COMMANDS.includes(command)) {
  process.stderr.write(`error: launch.mjs runs one of ${COMMANDS.join(", ")}; got ${JSON.stringify(command)}\n`);
  process.exit(2);
}
// The command reads its own arguments from process.argv.slice(2), as when run directly.
process.argv.splice(2, 1);
const entry = join(cli, `${command}.ts`);

/** Packages bundled into the commands (the others are imported from node_modules). */
const INLINED = ["arquero", "@uwdata/flechette", "acorn"];

/** The worker threads' entry modules, found while fingerprinting. */
const workers = [];

/**
 * What the bundle is made from: every engine file's contents (not its time: a copy that keeps
 * times, or an edit of the same length put back to its old time, must not run old code; about
 * 2 MB, hashed in a few milliseconds), the package files, Node's version.
 */
function fingerprint() {
  const hash = createHash("sha256");
  const walk = (dir) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else {
        hash.update(`${relative(root, path)}\0`).update(readFileSync(path)).update("\n");
        if (name.endsWith("Worker.ts")) workers.push(path);
      }
    }
  };
  walk(loaders);
  for (const name of ["package.json", "package-lock.json"]) {
    if (existsSync(join(root, name))) hash.update(`${name}\0${readFileSync(join(root, name))}\n`);
  }
  hash.update(process.version);
  return hash.digest("hex").slice(0, 16);
}

/**
 * Bundles the command into `out` (written beside it first, then renamed: runs started together
 * never read half a file). Each module's import.meta.url stays its own file's, so a worker's
 * `new URL("./kmeansWorker.ts", import.meta.url)` still finds the TypeScript source.
 */
async function bundle(source, out, format) {
  const esbuild = await import("esbuild");
  const part = `${out}.${process.pid}.part`;
  await esbuild.build({
    entryPoints: [source],
    outfile: part,
    bundle: true,
    platform: "node",
    format,
    target: "node20",
    sourcemap: "inline",
    sourcesContent: false,
    logLevel: "silent",
    plugins: [
      {
        // Packages stay in node_modules (native drivers, packages that read their own files),
        // except arquero: pure ES modules, whose 170 files took 0.1 s to load at every start.
        name: "packages-external-but-arquero",
        setup(build) {
          build.onResolve({ filter: /^[^./]/ }, (args) =>
            args.kind === "entry-point" || INLINED.some((p) => args.path === p || args.path.startsWith(`${p}/`)) ? undefined : { path: args.path, external: true }
          );
        }
      },
      {
        name: "own-import-meta-url",
        setup(build) {
          build.onLoad({ filter: /\.ts$/ }, (args) => ({
            contents: readFileSync(args.path, "utf8").replaceAll("import.meta.url", JSON.stringify(pathToFileURL(args.path).href)),
            loader: "ts"
          }));
        }
      }
    ]
  });
  renameSync(part, out);
}

/** Removes bundles of older sources, dead weight once no run can still be about to load them. */
function removeOld(kept) {
  for (const name of readdirSync(cache)) {
    const path = join(cache, name);
    if ((name.startsWith(`${command}-`) || name.startsWith("worker-")) && !kept.includes(path) && Date.now() - statSync(path).mtimeMs > 3_600_000) {
      rmSync(path, { force: true });
    }
  }
}

let bundled = null;
try {
  const print = fingerprint();
  const out = join(cache, `${command}-${print}.mjs`);
  const workerOuts = workers.map((path) => join(cache, `worker-${relative(loaders, path).replaceAll(/[\\/]/g, "-").replace(/\.ts$/, "")}-${print}.cjs`));
  const missing = [out, ...workerOuts].filter((path) => !existsSync(path));
  if (missing.length) {
    mkdirSync(cache, { recursive: true });
    if (missing.includes(out)) await bundle(entry, out, "esm");
    for (const [i, path] of workerOuts.entries()) if (missing.includes(path)) await bundle(workers[i], path, "cjs");
    removeOld([out, ...workerOuts]);
  }
  // threads.ts starts these instead of the TypeScript modules.
  globalThis[Symbol.for("workbench.workerBundles")] = new Map(workers.map((path, i) => [path, workerOuts[i]]));
  bundled = out;
} catch {
  bundled = null; // no esbuild, a read-only node_modules: run the sources through tsx
}
if (bundled) {
  // Stack traces of internal errors point at the TypeScript sources.
  process.setSourceMapsEnabled(true);
  await import(pathToFileURL(bundled).href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import(pathToFileURL(entry).href);
}
