/**
 * Worker threads that run a TypeScript module of the engine. Node 20 ignores ESM loader flags
 * (`--import tsx`) in a Worker's execArgv, so a worker is a plain eval'd script that registers
 * tsx's CommonJS hook and requires the module: it must import no ESM-only package. A command
 * started from its bundle (loaders/cli/launch.mjs) has the worker modules bundled as CommonJS
 * too, and registered under WORKER_BUNDLES: those start without tsx.
 */
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { Worker, type Transferable } from "node:worker_threads";

/**
 * When the module cannot be loaded, a `failed` flag in `data` (an Int32Array over shared memory)
 * gets 1 at index 0 and a notify: a caller blocked in Atomics.wait learns it without the event
 * loop that would deliver the worker's "error" event. A bundle that is gone (launch.mjs removes
 * old ones, maybe while a long run that started from them still starts workers) falls back to
 * the module through tsx.
 */
const BOOTSTRAP = `
const { workerData } = require("node:worker_threads");
try {
  let loaded = false;
  if (workerData.bundle) {
    try {
      require(workerData.bundle);
      loaded = true;
    } catch (error) {
      if (error.code !== "MODULE_NOT_FOUND" || !String(error.message).includes(workerData.bundle)) throw error;
    }
  }
  if (!loaded) {
    require(workerData.tsxApi).register();
    require(workerData.workerFile);
  }
} catch (error) {
  const failed = workerData.data && workerData.data.failed;
  if (failed) {
    Atomics.store(failed, 0, 1);
    Atomics.notify(failed, 0);
  }
  throw error;
}
`;

/** Where launch.mjs registers the bundled worker modules: a Map from a module's path to its bundle's. */
export const WORKER_BUNDLES = Symbol.for("workbench.workerBundles");

function bundleOf(file: string): string | undefined {
  return (globalThis as Record<symbol, Map<string, string> | undefined>)[WORKER_BUNDLES]?.get(file);
}

/** Whether `module` would start from its bundle (quickly), not through tsx. */
export function workerBundled(module: URL): boolean {
  return bundleOf(fileURLToPath(module)) !== undefined;
}

/**
 * Starts `module` (a URL, as `new URL("./x.ts", import.meta.url)`) in a worker, unref'd so it never
 * keeps the process alive; it reads `data` as `workerData.data`. Throws when no worker can start;
 * a failure after the start never ends the process.
 */
export function startTsWorker(module: URL, data?: unknown, transferList?: readonly Transferable[]): Worker {
  const file = fileURLToPath(module);
  const bundle = bundleOf(file);
  const worker = new Worker(BOOTSTRAP, {
    eval: true,
    execArgv: [],
    workerData: { bundle, tsxApi: createRequire(import.meta.url).resolve("tsx/cjs/api"), workerFile: file, data },
    transferList: transferList as Transferable[] | undefined
  });
  worker.unref();
  // A worker that fails (its module does not load, it runs out of memory) emits "error"; with no
  // listener Node would end the whole process with a stack trace, though every caller copes
  // without the worker (its flag in `data`, its own listeners, or its work redone on this thread).
  worker.on("error", () => {});
  return worker;
}
