/**
 * Worker thread for parallelScan.ts: scans the records of bytes [start, end) of a text file once
 * the main thread sends the header, posts the scan (or the first error) on `port`, then sets
 * `done` and notifies, since the main thread waits in Atomics.wait.
 */
import { parentPort, workerData } from "node:worker_threads";
import { WorkbenchError } from "../errors.ts";
import { parseRecords } from "./parse.ts";
import { rowScanner, startScan, type Scan } from "./scan.ts";
import { textChunks } from "./text.ts";
import type { PartJob, PartOutcome } from "./parallelScan.ts";

const job = workerData.data as PartJob;

/** Errors about the file itself (bytes that are not UTF-8), whose line is counted from the file's start. */
const fileErrors = new WeakSet<object>();

function* fileErrorsMarked(chunks: Iterable<string>): Generator<string> {
  try {
    yield* chunks;
  } catch (error) {
    if (error instanceof WorkbenchError) fileErrors.add(error);
    throw error;
  }
}

parentPort!.once("message", (header: string[]) => {
  let outcome: PartOutcome;
  const transfer: ArrayBuffer[] = [];
  try {
    const scan: Scan = startScan(job.entry, header, job.shown, 1);
    const progress = (fraction: number) => Atomics.store(job.progress, 0, Math.round(fraction * 1000));
    const chunks = textChunks(job.path, job.shown, { encoding: job.entry.encoding, hint: job.hint, start: job.start, end: job.end, progress });
    const row = rowScanner(job.entry, scan, job.shown);
    parseRecords(fileErrorsMarked(chunks), job.entry.format as "csv", job.shown, row.fields, { onSpans: row.spans });
    for (const c of scan.columns) transfer.push(c.numbers.values.buffer as ArrayBuffer);
    transfer.push(scan.lines.values.buffer as ArrayBuffer);
    outcome = { scan };
  } catch (error) {
    outcome =
      error instanceof WorkbenchError
        ? { error: { what: error.what, where: error.where, lineInFile: fileErrors.has(error) } }
        : { crash: String((error as Error)?.stack ?? error) };
  }
  try {
    job.port.postMessage(outcome, transfer);
  } catch (error) {
    job.port.postMessage({ crash: String((error as Error)?.stack ?? error) });
  }
  Atomics.store(job.done, 0, 1);
  Atomics.notify(job.done, 0);
});
