/**
 * Scoring a database dataset where it lives, with memory bounded whatever its size: the
 * customers' features (a log's, computed in SQL) come through a cursor SCORE_CHUNK customers at a
 * time; each chunk is prepared and assigned as fitted (row by row, so chunks give the labels of a
 * whole table) and its segments appended to a temporary file; once the cursor is closed, the file
 * is written back in batches (writeBack.ts). Reading and writing never hold a connection each at
 * once — one connection is all some servers allow (PGlite), and a long read needs no open write
 * transaction beside it. Nothing but a chunk and the per-segment counts is kept in memory.
 */
import { createReadStream, createWriteStream, mkdtempSync, rmSync, type WriteStream } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { WorkbenchError } from "../errors.ts";
import { featuresTable, formatDay, logReport, runDay, runTime } from "../features/rfm.ts";
import type { DatasetEntry } from "../manifest/types.ts";
import type { ModelFile } from "../model/modelFile.ts";
import { scoreCustomers, type Scored } from "../model/score.ts";
import { connect } from "./connect.ts";
import { customerRows, customerSelect } from "./customerTable.ts";
import { logReader, streamCustomers } from "./pushdown.ts";
import { SegmentWriter, type WriteBackResult } from "./writeBack.ts";

/** Customers scored per chunk: big enough to amortise a chunk's preparation, small next to any memory. */
export const SCORE_CHUNK = 50_000;

export interface InPlaceResult {
  customers: number;
  /** Per segment the site shows (1 = the largest at fit time): its name and how many customers it got. */
  segments: Array<{ segment: number; name: string; customers: number }>;
  /** Customers in no segment (DBSCAN's noise), not written. */
  noise: number;
  snapshot: string | null;
  notes: string[];
  written: WriteBackResult;
}

export async function scoreInPlace(
  model: ModelFile,
  entry: DatasetEntry,
  { snapshot, chunkRows = SCORE_CHUNK, progress = () => {} }: { snapshot?: string; chunkRows?: number; progress?: (message: string) => void } = {}
): Promise<InPlaceResult> {
  if (model.entry.kind !== entry.kind) {
    throw new WorkbenchError(`the model "${model.run.id}" of "${model.dataset}" was fitted on a ${model.entry.kind === "transactions" ? "transaction log" : "customer table"}, and dataset "${entry.name}" is a ${entry.kind === "transactions" ? "transaction log" : "customer table"}`, {
      hint: "Score a dataset of the kind the model was fitted on"
    });
  }
  const bySegment = new Map(model.segments.map((s) => [s.label, s]));
  const counts = new Map<number, number>();
  let noise = 0;
  const dir = mkdtempSync(join(tmpdir(), "workbench-scores-"));
  const path = join(dir, "segments.jsonl");
  try {
    const out = createWriteStream(path);
    const chunkNotes: string[][] = [];
    let customers = 0;
    let scoredSnapshot: string | null = null;
    const take = async (scored: Scored) => {
      chunkNotes.push(scored.notes);
      scoredSnapshot = scored.snapshot;
      let text = "";
      scored.labels.forEach((label, i) => {
        const s = bySegment.get(label);
        if (!s) {
          noise++;
          return;
        }
        counts.set(s.segment, (counts.get(s.segment) ?? 0) + 1);
        text += JSON.stringify([scored.ids[i], s.segment, s.name]) + "\n";
      });
      customers += scored.labels.length;
      await write(out, text);
      progress(`scored ${customers.toLocaleString("en-US")} customers`);
    };

    const { connection, relation, ordered } = await connect(entry);
    let logNotes: string[] = [];
    try {
      if (entry.kind === "transactions") {
        const at = await (await logReader(connection, entry, relation, runDay()))(snapshot);
        const asOf = formatDay(at.snapshotDay);
        let offset = 0;
        const counts = await streamCustomers(connection, at, chunkRows, async (ids, features) => {
          const table = featuresTable(at.description, ids, features, Int32Array.from(ids, (_, i) => offset + i + 1));
          offset += ids.length;
          if (ids.length) await take(scoreCustomers(model, table, { snapshot }, asOf));
        });
        logNotes = logReport(at.description, counts, offset, at.snapshotDay, runDay()).notes;
      } else {
        const select = await customerSelect(connection, entry, relation, { ordered });
        let offset = 0;
        await connection.stream(select.sql, select.kinds, chunkRows, async (raw, rows) => {
          if (rows === 0) return;
          const table = customerRows(entry, connection.label, select.selected, raw, Int32Array.from({ length: rows }, (_, i) => i), offset);
          offset += rows;
          await take(scoreCustomers(model, table, { snapshot }));
        });
      }
    } finally {
      await connection.close();
    }
    await new Promise<void>((done, fail) => out.end((error?: Error | null) => (error ? fail(error) : done())));
    if (customers === 0) throw new WorkbenchError(`${connection.label} has no customers to score`, { hint: "Check the table or query of the dataset in data/manifest.json" });

    progress(`writing ${(customers - noise).toLocaleString("en-US")} customers' segments back`);
    const written = await writeBack(entry, path, model.modelVersion);
    return {
      customers,
      segments: model.segments
        .map((s) => ({ segment: s.segment, name: s.name, customers: counts.get(s.segment) ?? 0 }))
        .sort((a, b) => a.segment - b.segment),
      noise,
      snapshot: scoredSnapshot,
      notes: [...logNotes, ...sumNotes(chunkNotes)],
      written
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The scored customers of the file, upserted a batch at a time, then swapped in. */
async function writeBack(entry: DatasetEntry, path: string, modelVersion: string): Promise<WriteBackResult> {
  const writer = await SegmentWriter.open(entry);
  try {
    const scoredAt = new Date(runTime()).toISOString();
    let batch: { ids: string[]; segments: number[]; names: string[] } = { ids: [], segments: [], names: [] };
    const flush = async () => {
      await writer.add({ ...batch, modelVersion, scoredAt });
      batch = { ids: [], segments: [], names: [] };
    };
    for await (const line of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) {
      if (!line) continue;
      const [id, segment, name] = JSON.parse(line) as [string, number, string];
      batch.ids.push(id);
      batch.segments.push(segment);
      batch.names.push(name);
      if (batch.ids.length >= SCORE_CHUNK) await flush();
    }
    if (batch.ids.length) await flush();
    return await writer.commit();
  } finally {
    await writer.close();
  }
}

function write(out: WriteStream, text: string): Promise<void> {
  return new Promise((done, fail) => {
    if (out.write(text)) done();
    else out.once("drain", done).once("error", fail);
  });
}

/**
 * The notes of all chunks as one list: a note that starts with a count ("12 missing value(s) of
 * …") is summed over the chunks, any other is kept once.
 */
export function sumNotes(chunks: string[][]): string[] {
  const sums = new Map<string, number | null>();
  for (const notes of chunks) {
    for (const note of notes) {
      const m = /^(\d+) (.*)$/s.exec(note);
      const key = m ? m[2] : note;
      sums.set(key, m ? ((sums.get(key) as number | undefined) ?? 0) + Number(m[1]) : null);
    }
  }
  return [...sums].map(([text, count]) => (count === null ? text : `${count} ${text}`));
}
