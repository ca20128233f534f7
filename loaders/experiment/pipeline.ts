import { customerFeatures, type CustomerFeatures } from "../features/rfm.ts";
import { isPushedDown, openSource, type OpenOptions, type SourceData } from "../source/open.ts";
import { pushedDownFeatures } from "../source/pushdown.ts";
import { rfmTable, type RfmTable } from "../features/rfmScores.ts";
import { readDataset } from "../io/read.ts";
import type { DatasetTable } from "../io/types.ts";
import type { DatasetEntry } from "../manifest/types.ts";
import { prepare, type PreparedData } from "../prepare/prepare.ts";
import { warmKmeansWorkers } from "../cluster/kmeans.ts";
import { ALGORITHMS } from "../registry/algorithms.ts";

/** Everything between the input file and the feature matrix, for loaders, the CLI and tests. */
export interface PreparedDataset {
  entry: DatasetEntry;
  /** The data as its source delivered it (transactions: the log, or its per-customer aggregates from a database). */
  source: SourceData;
  /** Transaction logs: the per-customer features and how they were derived. */
  transactions: CustomerFeatures | null;
  /** Transaction logs: RFM scores and named RFM segments, per prepared row. */
  rfm: RfmTable | null;
  prepared: PreparedData;
}

/** Reads a text file, derives per-customer features for transaction logs, and prepares the matrix. */
export function prepareDataset(entry: DatasetEntry, path?: string, progress?: (message: string) => void): PreparedDataset {
  return prepareTable(readDataset(entry, path, { progress }));
}

/** As prepareDataset, from any source: a text file, a Parquet file or a database (source/open.ts). */
export async function loadDataset(entry: DatasetEntry, options: OpenOptions = {}): Promise<PreparedDataset> {
  return prepareTable(await openSource(entry, options));
}

/** A log's per-customer features at a snapshot (the entry's own when undefined). */
export function logFeatures(log: SourceData, snapshot: string | undefined): CustomerFeatures {
  return isPushedDown(log) ? pushedDownFeatures(log, snapshot) : customerFeatures(log, { snapshot });
}

/**
 * Prepares a dataset as read. Its entry is the reader's: the manifest's, with the roles it
 * inferred for undescribed columns.
 */
export function prepareTable(source: SourceData): PreparedDataset {
  const entry = source.entry;
  if (entry.kind === "customers") {
    if (isPushedDown(source)) throw new Error("internal: a customer table is never aggregated");
    warmWorkers(entry, source.rows, source.columns.length);
    return { entry, source, transactions: null, rfm: null, prepared: prepare(source, entry.prepare) };
  }
  const transactions = logFeatures(source, entry.experiment.snapshot);
  warmWorkers(entry, transactions.dataset.rows, transactions.dataset.columns.length);
  const prepared = prepare(transactions.dataset, entry.prepare);
  // RFM scores on the prepared rows, in original units (prepare never reorders rows).
  const p = prepared.profile;
  const rfm = rfmTable({ recency: p.recency, frequency: p.frequency, monetary: p.monetary }, { recency: !transactions.report.shortSpan });
  return { entry, source, transactions, rfm, prepared };
}

/** Starts k-means' workers while the data is prepared, when the experiment has an algorithm that will use them. */
function warmWorkers(entry: DatasetEntry, rows: number, columns: number): void {
  const names = entry.experiment.algorithms ?? ALGORITHMS.filter((a) => a.inDefaultGrid).map((a) => a.name);
  if (ALGORITHMS.some((a) => a.kmeansPasses && names.includes(a.name))) warmKmeansWorkers(rows, columns);
}

/** Everything the user should know about how the data was read and prepared, in order. */
export function preparationNotes(data: PreparedDataset): string[] {
  return [...(data.transactions ? data.transactions.report.notes : data.source.notes), ...data.prepared.report.notes];
}
