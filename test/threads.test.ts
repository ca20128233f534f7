/** A worker whose module cannot load says so in shared memory (loaders/threads.ts). */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { startTsWorker, WORKER_BUNDLES, workerBundled } from "../loaders/threads.ts";

/** The worker's first message, or "exited" if it ends without one. */
function firstMessage(worker: Worker): Promise<unknown> {
  return new Promise((resolve) => {
    worker.once("message", resolve);
    worker.once("exit", () => resolve("exited"));
  });
}

describe("startTsWorker", () => {
  it("sets the failed flag when the module cannot be loaded, so a thread blocked in Atomics.wait is not left waiting", async () => {
    const failed = new Int32Array(new SharedArrayBuffer(4));
    const worker = startTsWorker(new URL("./no-such-module.ts", import.meta.url), { failed });
    expect(Atomics.wait(failed, 0, 0, 30_000)).not.toBe("timed-out");
    expect(failed[0]).toBe(1);
    await worker.terminate();
  });

  it("lets the process go on when a worker fails after starting (no uncaught error event)", async () => {
    const failed = new Int32Array(new SharedArrayBuffer(4));
    const worker = startTsWorker(new URL("./no-such-module.ts", import.meta.url), { failed });
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on("uncaughtException", onUncaught);
    try {
      // Node emits the worker's "error" event before its "exit" event.
      await new Promise((resolve) => worker.once("exit", resolve));
      expect(failed[0]).toBe(1);
      expect(uncaught).toEqual([]);
    } finally {
      process.off("uncaughtException", onUncaught);
    }
  });

  it("starts a module's registered bundle (what launch.mjs makes) instead of the module, without tsx", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bundle-"));
    const module = new URL("./not-bundled-here.ts", import.meta.url);
    const registry = globalThis as Record<symbol, unknown>;
    try {
      const bundle = join(dir, "worker.cjs");
      writeFileSync(bundle, `require("node:worker_threads").parentPort.postMessage({ data: require("node:worker_threads").workerData.data, tsx: ".ts" in require.extensions });`);
      expect(workerBundled(module)).toBe(false);
      registry[WORKER_BUNDLES] = new Map([[fileURLToPath(module), bundle]]);
      expect(workerBundled(module)).toBe(true);
      const worker = startTsWorker(module, 42);
      const message = await firstMessage(worker);
      expect(message).toEqual({ data: 42, tsx: false });
      await worker.terminate();
    } finally {
      delete registry[WORKER_BUNDLES];
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("falls back to the module through tsx when its registered bundle is gone", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bundle-"));
    const registry = globalThis as Record<symbol, unknown>;
    try {
      const source = join(dir, "worker.ts");
      writeFileSync(source, `import { parentPort, workerData } from "node:worker_threads";\nconst from: string = "source";\nparentPort!.postMessage({ data: workerData.data, from });\n`);
      registry[WORKER_BUNDLES] = new Map([[source, join(dir, "removed.cjs")]]);
      const worker = startTsWorker(pathToFileURL(source), 7);
      const message = await firstMessage(worker);
      expect(message).toEqual({ data: 7, from: "source" });
      await worker.terminate();
    } finally {
      delete registry[WORKER_BUNDLES];
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
