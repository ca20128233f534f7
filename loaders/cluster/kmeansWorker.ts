/**
 * Worker thread for k-means (started by kmeansSession.ts). Idle on its event loop between
 * sessions; during a session it claims blocks of the current operation until told to stop.
 */
import { parentPort } from "node:worker_threads";
import { CTRL, OP, kernelViews, runBlock, type BufferName, type KernelBuffers, type KernelShape } from "./kmeansKernel.ts";
import { bindWasm, wasmInstance } from "./kmeansWasm.ts";

interface SessionMessage {
  type: "session";
  shape: KernelShape;
  buffers: KernelBuffers;
  /** When the buffers lie in WebAssembly memory: the module, the memory, addresses, this thread's scratch. */
  wasm?: { module: WebAssembly.Module; memory: WebAssembly.Memory; at: Record<BufferName, number>; scratch: number };
}

function runSession(msg: SessionMessage): void {
  const { wasm } = msg;
  const s = kernelViews(msg.shape, msg.buffers, wasm && { buffer: msg.buffers.x.buffer, at: wasm.scratch });
  if (wasm) s.wasm = bindWasm(wasmInstance(wasm.memory, wasm.module), msg.shape, wasm.at, wasm.scratch);
  const { ctrl, nBlocks } = s;
  for (;;) {
    const c = Atomics.load(ctrl, CTRL.claim);
    const b = c & 0xffff;
    if (b >= nBlocks) {
      if (Atomics.load(ctrl, CTRL.op) === OP.end) return;
      // Sleep until the main thread publishes the next operation (a new claim word).
      Atomics.wait(ctrl, CTRL.claim, c);
      continue;
    }
    if (Atomics.compareExchange(ctrl, CTRL.claim, c, c + 1) !== c) continue;
    try {
      runBlock(s, Atomics.load(ctrl, CTRL.op), b);
    } catch (error) {
      // Never leave the main thread waiting: flag the failure and count the block as done.
      Atomics.store(ctrl, CTRL.error, 1);
      console.error(error);
    }
    if (Atomics.add(ctrl, CTRL.done, 1) + 1 === nBlocks) Atomics.notify(ctrl, CTRL.done);
  }
}

parentPort!.on("message", (msg: SessionMessage) => {
  if (msg.type === "session") runSession(msg);
});
parentPort!.postMessage("ready");
