/** A worker whose module cannot load says so in shared memory (loaders/threads.ts). */
import { describe, expect, it } from "vitest";
import { startTsWorker } from "../loaders/threads.ts";

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
});
