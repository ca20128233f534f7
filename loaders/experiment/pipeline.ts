import { customerFeatures, type CustomerFeatures } from "../features/rfm.ts";
import { rfmTable, type RfmTable } from "../features/rfmScores.ts";
import { readDataset } from "../io/read.ts";
import type { DatasetTable } from "../io/types.ts";
import type { DatasetEntry } from "../manifest/types.ts";
import { prepare, type PreparedData } from "../prepare/prepare.ts";

/** Everything between the input file and the feature matrix, for loaders, the CLI and tests. */
export interface PreparedDataset {
  entry: DatasetEntry;
  /** The file as read (transactions: the log). */
  source: DatasetTable;
  /** Transaction logs: the per-customer features and how they were derived. */
  transactions: CustomerFeatures | null;
  /** Transaction logs: RFM scores and named RFM segments, per prepared row. */
  rfm: RfmTable | null;
  prepared: PreparedData;
}

/** Reads, derives per-customer features for transaction logs, and prepares the matrix. */
export function prepareDataset(entry: DatasetEntry, path?: string, progress?: (message: string) => void): PreparedDataset {
  return prepareTable(readDataset(entry, path, { progress }));
}

/**
 * Prepares a dataset as read. Its entry is the reader's: the manifest's, with the roles it
 * inferred for undescribed columns.
 */
export function prepareTable(source: DatasetTable): PreparedDataset {
  const entry = source.entry;
  if (entry.kind === "customers") {
    return { entry, source, transactions: null, rfm: null, prepared: prepare(source, entry.prepare) };
  }
  const transactions = customerFeatures(source, { snapshot: entry.experiment.snapshot });
  const prepared = prepare(transactions.dataset, entry.prepare);
  // RFM scores on the prepared rows, in original units (prepare never reorders rows).
  const p = prepared.profile;
  const rfm = rfmTable({ recency: p.recency, frequency: p.frequency, monetary: p.monetary }, { recency: !transactions.report.shortSpan });
  return { entry, source, transactions, rfm, prepared };
}

/** Everything the user should know about how the data was read and prepared, in order. */
export function preparationNotes(data: PreparedDataset): string[] {
  return [...(data.transactions ? data.transactions.report.notes : data.source.notes), ...data.prepared.report.notes];
}
