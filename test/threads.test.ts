/** A worker whose module cannot load says so in shared memory (loaders/threads.ts). */
import { describe, expect, it } from "vitest";
import { startTsWorker } from "../loaders/threads.ts";

describe("startTsWorker", () => {
  it("sets the failed flag when the module cannot be loaded, so a thread blocked in Atomics.wait is not left waiting", async () => {
    const failed = new Int32Array(new SharedArrayBuffer(4));
    const worker = startTsWorker(new URL("./no-such-module.ts", import.meta.url), { failed });
    worker.on("error", () => {}); // the worker rethrows after flagging
    expect(Atomics.wait(failed, 0, 0, 30_000)).not.toBe("timed-out");
    expect(failed[0]).toBe(1);
    await worker.terminate();
  });
});
