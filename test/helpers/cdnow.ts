/**
 * CDNOW (Fader & Hardie) as the value-model tests and bench/value.ts use it, built by the
 * project's own pipeline: data/cdnow_master.txt through readDataset (the manifest's "cdnow"
 * entry), then customerFeatures, whose `purchases` (one per customer-day, customer = row of
 * the features table) are what fitValueModels takes.
 *
 * The 1/10 sample of "Counting your customers the easy way" (Fader, Hardie & Lee 2005), on
 * which the published BG/NBD, Pareto/NBD and Gamma-Gamma numbers were fitted, is the master
 * log restricted to the 2,357 customers of test/fixtures/cdnow-sample-ids.txt (see
 * test/fixtures/README.md) before customerFeatures, so it goes through the same code: 6,919
 * rows, 2,457 calibration repeat purchases, 1,882 holdout purchases.
 */
import { readFileSync } from "node:fs";
import * as aq from "arquero";
import { customerFeatures, parseSnapshot, type CustomerFeatures } from "../../loaders/features/rfm.ts";
import { readDataset } from "../../loaders/io/read.ts";
import type { DatasetTable } from "../../loaders/io/types.ts";
import { findDataset, loadManifest } from "../../loaders/manifest/load.ts";
import { asColumnTable } from "../../loaders/prepare/dedupe.ts";

/** The id column of the manifest's "cdnow" entry (zero-padded strings such as "00004"). */
export const CDNOW_ID = "customer_id";
/** A run day after the last transaction (1998-06-30), so no row is "in the future". */
export const CDNOW_TODAY = parseSnapshot("1998-07-01");

const SAMPLE_IDS = new URL("../fixtures/cdnow-sample-ids.txt", import.meta.url);

/** Purchases of a CDNOW log as customerFeatures gives them, with each customer's id. */
export interface CdnowData extends CustomerFeatures {
  /** Id of each customer (= purchases.customer index), as in the file: "00004". */
  ids: string[];
}

let sampleIdsCache: number[] | null = null;
let logCache: DatasetTable | null = null;
let sampleLogCache: DatasetTable | null = null;
let fullCache: CdnowData | null = null;
let sampleCache: CdnowData | null = null;

/** Master customer ids (1..23,570) of the 1/10 sample, ascending: test/fixtures/cdnow-sample-ids.txt. */
export function cdnowSampleIds(): number[] {
  sampleIdsCache ??= readFileSync(SAMPLE_IDS, "utf8").split("\n").filter((line) => line.trim() !== "").map(Number);
  return sampleIdsCache;
}

/** data/cdnow_master.txt as the project reads it: readDataset of the manifest's "cdnow" entry. */
export function cdnowLog(): DatasetTable {
  logCache ??= readDataset(findDataset(loadManifest(), "cdnow"));
  return logCache;
}

/**
 * The master log's rows of the sample's customers, in file order: same entry, columns, types
 * and file; `lines` are the rows' lines in data/cdnow_master.txt, `missing` recounted.
 */
export function cdnowSampleLog(): DatasetTable {
  if (sampleLogCache) return sampleLogCache;
  const log = cdnowLog();
  const keep = new Set(cdnowSampleIds());
  // Ids are zero-padded strings ("00004"): compare them as numbers.
  const filtered = asColumnTable(log.table).filter(aq.escape((d: Record<string, unknown>) => keep.has(Number(d[CDNOW_ID]))));
  const rows = filtered.indices();
  const table = filtered.reify();
  sampleLogCache = {
    ...log,
    table,
    columns: log.columns.map((c) => ({ ...c, missing: missingCount(table.array(c.name) as ArrayLike<unknown>) })),
    lines: Int32Array.from(rows, (row) => log.lines[row]),
    rows: table.numRows(),
    notes: [...log.notes]
  };
  return sampleLogCache;
}

/** All 23,570 CDNOW customers through customerFeatures. */
export function cdnowFull(): CdnowData {
  fullCache ??= features(cdnowLog());
  return fullCache;
}

/** The 2,357 customers of the 1/10 sample through customerFeatures. */
export function cdnowSample(): CdnowData {
  sampleCache ??= features(cdnowSampleLog());
  return sampleCache;
}

function features(log: DatasetTable): CdnowData {
  const f = customerFeatures(log, { today: CDNOW_TODAY });
  return { ...f, ids: Array.from(f.dataset.table.array(CDNOW_ID) as ArrayLike<string>) };
}

function missingCount(values: ArrayLike<unknown>): number {
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined || (typeof v === "number" && Number.isNaN(v))) n++;
  }
  return n;
}

/**
 * The sample in the layout of Hardie's CDNOW_sample.txt: no header line, one row per
 * transaction, whitespace separated (fixed width and CRLF, as the master file), columns
 *   master id (5 digits) · sample id (4 digits, 1..2357) · date YYYYMMDD · number of CDs · dollar value.
 * Sample ids number the customers in order of first purchase date, then master id, and rows
 * are ordered by sample id, then as in the master file. That is the numbering and order of
 * Hardie's file: its first rows are "00004 0001 19970101 2 29.33", …, "00018 0058 19970104 1 14.96"
 * (the copy in BayesGroup2020/CLV agrees with this text line for line where compared, except
 * that a tab stands for a space on its first line).
 */
export function sampleLogText(): string {
  const { table } = cdnowSampleLog();
  const ids = table.array(CDNOW_ID) as ArrayLike<string>;
  const dates = table.array("date") as ArrayLike<number>;
  const cds = table.array("number_of_cds") as ArrayLike<number>;
  const dollars = table.array("dollar_value") as ArrayLike<number>;
  const n = ids.length;
  const master = Int32Array.from({ length: n }, (_, i) => Number(ids[i]));
  const firstDate = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const seen = firstDate.get(master[i]);
    if (seen === undefined || dates[i] < seen) firstDate.set(master[i], dates[i]);
  }
  const customers = [...firstDate.keys()].sort((a, b) => firstDate.get(a)! - firstDate.get(b)! || a - b);
  const sampleId = new Map(customers.map((id, k) => [id, k + 1]));
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => sampleId.get(master[a])! - sampleId.get(master[b])! || a - b);
  const lines = order.map((i) => {
    const date = new Date(dates[i]).toISOString().slice(0, 10).replaceAll("-", "");
    return ` ${String(master[i]).padStart(5, "0")} ${String(sampleId.get(master[i])).padStart(4, "0")} ${date}${String(cds[i]).padStart(3)}${dollars[i].toFixed(2).padStart(8)}`;
  });
  return lines.join("\r\n") + "\r\n";
}
