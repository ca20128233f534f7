/**
 * Scoring: new customers through a saved model. A transaction log is first turned into one row
 * per customer (at `snapshot`), then prepared as fitted and assigned by the segment model.
 * Labels are the run's, as `npm run segment` prints them (0..k-1, -1 noise); the model's segment
 * list maps each to the number the site and the export show (1 = the largest at fit time).
 */
import { predictSegments } from "../cluster/segmentModel.ts";
import { logFeatures } from "../experiment/pipeline.ts";
import { DAY_MS, formatDay, parseSnapshot } from "../features/rfm.ts";
import type { SourceData } from "../source/open.ts";
import type { DatasetTable } from "../io/types.ts";
import { applyPreparation, dateOrigins } from "../prepare/fitted.ts";
import type { ModelFile } from "./modelFile.ts";

export interface Scored {
  /** 0-based data rows of the customer table (transaction logs: of the derived customer table). */
  rows: number[];
  ids: string[];
  /** The run's label per customer (0..k-1; -1 noise). */
  labels: number[];
  /** Gaussian mixtures: per customer, the probability of each label 0..k-1. */
  probabilities?: number[][];
  /** The date features are as of: a log's snapshot, or a table's day date features count back from (null without date features). */
  snapshot: string | null;
  notes: string[];
}

export function scoreTable(model: ModelFile, source: SourceData, options: { snapshot?: string } = {}): Scored {
  if (model.entry.kind !== "transactions") return scoreCustomers(model, source as DatasetTable, options);
  const features = logFeatures(source, options.snapshot);
  const scored = scoreCustomers(model, features.dataset, options, features.snapshot);
  scored.notes.unshift(...features.report.notes);
  return scored;
}

/**
 * Scores one row per customer: a customer table, or a log's derived customers (`logSnapshot`, the
 * snapshot they are as of). Row by row, so a table scored in chunks gets the labels of a whole one.
 */
export function scoreCustomers(model: ModelFile, table: DatasetTable, options: { snapshot?: string } = {}, logSnapshot: string | null = null): Scored {
  const notes: string[] = [];
  let snapshot = logSnapshot;
  // A table's date features count back from --snapshot when given, else from the training's date.
  const origins = dateOrigins(model.preparation);
  const dateColumns = Object.keys(origins);
  const asOf = model.entry.kind === "customers" && options.snapshot !== undefined ? Object.fromEntries(dateColumns.map((c) => [c, parseSnapshot(options.snapshot!) * DAY_MS])) : {};
  if (model.entry.kind === "customers" && dateColumns.length) {
    snapshot = formatDay((asOf[dateColumns[0]] ?? origins[dateColumns[0]]) / DAY_MS);
    notes.push(`date features counted back from ${snapshot}${options.snapshot ? " (--snapshot)" : ", the training data's latest date (--snapshot to change)"}`);
  }
  const applied = applyPreparation(model.preparation, table, { asOf });
  notes.push(...applied.notes);
  const { labels, probabilities } = predictSegments(model.segmentModel, applied.matrix);
  const out: Scored = {
    rows: Array.from(applied.rows),
    ids: applied.ids,
    labels: Array.from(labels),
    snapshot,
    notes
  };
  if (probabilities) {
    const { n, k, data } = probabilities;
    out.probabilities = Array.from({ length: n }, (_, i) => Array.from(data.subarray(i * k, (i + 1) * k), round));
  }
  return out;
}

/** Six significant digits: probabilities readable in JSON and identical across runs. */
function round(x: number): number {
  return Number(x.toPrecision(6));
}
