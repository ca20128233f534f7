/**
 * Scanning a large text file on two threads. Parsing and typing are per record, so the file is
 * cut at a line break a little past its middle: the main thread scans the first part while a worker
 * (scanWorker.ts) scans the second, and appendScan joins them into what one scan would have
 * collected. Reading 1M rows × 9 fields takes about half the time.
 *
 * The cut must fall between records, which a quoted field holding line breaks can straddle. It is
 * put after a line break preceded by an even number of double quotes (outside any quoted field in
 * an RFC 4180 file), and checked afterwards: the first part must parse to its last byte with no
 * quoted field left open. If it does not (a stray quote), or the worker cannot start or fails
 * other than on the data, the whole file is scanned again on the main thread. Errors in the data
 * are those one scan would give: the first part's first, then the second part's, its line
 * numbers moved by the lines before the cut.
 */
import { availableParallelism } from "node:os";
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { MessageChannel, receiveMessageOnPort, type MessagePort } from "node:worker_threads";
import { WorkbenchError, type ErrorWhere } from "../errors.ts";
import type { DatasetEntry } from "../manifest/types.ts";
import { startTsWorker, workerBundled } from "../threads.ts";
import { NumberList, type Scan } from "./scan.ts";

/** Files smaller than this are scanned on one thread: starting a worker and copying its rows back would cost more. */
let minBytes = 64 << 20;

/** Sets the size from which files are scanned on two threads (tests use small files). */
export function setParallelScanBytes(bytes: number): void {
  minBytes = bytes;
}

let joined = 0;

/** Files whose second part a worker scanned, in this process so far (tests check the path ran). */
export function parallelScansJoined(): number {
  return joined;
}

/** What the worker is given. */
export interface PartJob {
  path: string;
  shown: string;
  hint: string;
  entry: DatasetEntry;
  start: number;
  end: number;
  port: MessagePort;
  /** Set to 1 when the outcome is posted (or the worker could not start). */
  done: Int32Array;
  /** Thousandths of its part scanned, so a stalled worker can be told from a slow one. */
  progress: Int32Array;
}

/** What the worker posts: its scan, the first problem in its part's data, or a failure of its own. */
export type PartOutcome = { scan: Scan } | { error: { what: string; where: ErrorWhere; lineInFile: boolean } } | { crash: string };

/** A worker without progress for this long is taken to be dead (its part is scanned again here). */
const STALL_MS = 60_000;

/** The second part of a file, being scanned by a worker. */
export interface SecondPart {
  /** Where it starts: the byte after a line break. */
  start: number;
  /** Sends the header: the worker starts scanning. */
  begin(header: string[]): void;
  /**
   * Waits for the worker: its scan, a WorkbenchError for the first problem in its data (line
   * numbers moved by `lineOffset`), or null when it failed otherwise (then scan the file here).
   */
  finish(lineOffset: number): Scan | null;
  /** Stops the worker (its result is not needed). */
  cancel(): void;
}

/**
 * Starts a worker on the second part of the file when it is worth it: a text file of at least
 * the minimum size, in an encoding whose line breaks and quotes are single ASCII bytes, on a
 * machine with two cores or more. Else null.
 */
export function startSecondPart(entry: DatasetEntry, path: string, shown: string, hint: string): SecondPart | null {
  if (availableParallelism() < 2 || entry.encoding === "utf-16le" || entry.encoding === "utf-16be") return null;
  const module = new URL("./scanWorker.ts", import.meta.url);
  const start = cutPoint(path, entry.format !== "whitespace", mainShare(workerBundled(module)));
  if (start === null) return null;
  const done = new Int32Array(new SharedArrayBuffer(4));
  const progress = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  const job: PartJob = { path, shown, hint, entry, start, end: Infinity, port: port2, done, progress };
  let worker: ReturnType<typeof startTsWorker>;
  try {
    worker = startTsWorker(module, { ...job, failed: done }, [port2]);
  } catch {
    return null;
  }
  const cancel = () => {
    port1.close();
    void worker.terminate();
  };
  return {
    start,
    begin: (header) => worker.postMessage(header),
    cancel,
    finish(lineOffset) {
      let seen = -1;
      let still = 0;
      while (Atomics.load(done, 0) === 0) {
        if (Atomics.wait(done, 0, 0, 1000) !== "timed-out") continue;
        const now = Atomics.load(progress, 0);
        still = now === seen ? still + 1000 : 0;
        seen = now;
        if (still >= STALL_MS) {
          cancel();
          return null;
        }
      }
      const outcome = receiveMessageOnPort(port1)?.message as PartOutcome | undefined;
      cancel();
      if (!outcome || "crash" in outcome) return null;
      if ("error" in outcome) {
        const { what, where, lineInFile } = outcome.error;
        throw new WorkbenchError(what, where.line === undefined || lineInFile ? where : { ...where, line: where.line + lineOffset });
      }
      joined++;
      return revive(outcome.scan);
    }
  };
}

/** A scan as posted (class instances arrive as plain objects): its number lists made whole again. */
function revive(scan: Scan): Scan {
  const list = (posted: NumberList) => Object.assign(new NumberList(), { values: posted.values, length: posted.length });
  for (const c of scan.columns) c.numbers = list(c.numbers);
  scan.lines = list(scan.lines);
  return { ...scan, read: scan.columns.filter((c) => scan.read.some((r) => r.name === c.name)) };
}

/**
 * The main thread's share of the file: more than half when the worker starts through tsx (0.1–0.15 s
 * late), a half when it starts from its bundle (launch.mjs): at 1M rows × 9 fields the bundled
 * worker is then done first, and receiving its rows takes the main thread about 20 ms.
 */
const mainShare = (bundled: boolean) => (bundled ? 0.5 : 0.55);

/** How far the cut may be looked for past the aimed point. */
const SEARCH_BYTES = 1 << 20;

/**
 * A byte offset just after a line break at about `share` of the file, outside quoted fields if
 * `quoted` (an even number of double quotes before it); null when the file is too small or no
 * such line break is near that point.
 */
function cutPoint(path: string, quoted: boolean, share: number): number | null {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return null; // the sequential scan reports it
  }
  try {
    const size = fstatSync(fd).size;
    if (size < minBytes) return null;
    const aim = Math.floor(size * share);
    const buffer = Buffer.allocUnsafe(16 << 20);
    // Quotes before that point, counted piece by piece.
    let quotes = 0;
    for (let offset = 0; quoted && offset < aim; ) {
      const got = readSync(fd, buffer, 0, Math.min(buffer.length, aim - offset), offset);
      if (got === 0) break;
      for (let i = buffer.indexOf(34, 0); i >= 0 && i < got; i = buffer.indexOf(34, i + 1)) quotes++;
      offset += got;
    }
    const got = readSync(fd, buffer, 0, SEARCH_BYTES, aim);
    for (let i = 0; i < got; i++) {
      const b = buffer[i];
      if (b === 34) quotes++;
      else if (b === 10 && quotes % 2 === 0 && aim + i + 1 < size) return aim + i + 1;
    }
    return null;
  } finally {
    closeSync(fd);
  }
}
