/**
 * Per-customer features from a transaction log, as of a snapshot date.
 *
 * Definitions (all day counts are whole days between UTC dates):
 * - snapshot: the first day NOT observed. Default: the day after the last transaction, so the
 *   most recent buyer has recency 1 (the usual RFM convention). Transactions dated on or after
 *   the snapshot are excluded and counted.
 * - purchase: a distinct (customer, day). Several rows of one customer on one day are one
 *   purchase — CDNOW records separate rows for one shopping trip, and Fader & Hardie count
 *   distinct purchase days for CDNOW's repeat transactions.
 * - recency: snapshot − last purchase day (days, ≥ 1)
 * - frequency: number of purchases; repeatPurchases = frequency − 1
 * - monetary: total amount over all the customer's rows; averageOrderValue = monetary / frequency
 * - tenure: snapshot − first purchase day (days)
 * - meanInterPurchaseDays: mean gap between consecutive purchase days = (last − first) / (frequency − 1).
 *   A one-time buyer has no gap; we use their tenure, the time they have gone without a second
 *   purchase (a lower bound on their true gap), so the value is never NaN and a one-time buyer
 *   looks like a slow buyer, not a fast one (0 would say the opposite).
 * - totalQuantity: sum of the quantity column, when the log has one.
 * Data quality: rows without customer or date are dropped and counted (they cannot be placed);
 * a missing amount or quantity counts as 0 — the purchase itself is known to have happened —
 * and is counted in the report.
 */
import * as aq from "arquero";
import { op } from "arquero";
import type { DatasetTable } from "../io/types.ts";
import type { ColumnRole, DatasetEntry } from "../manifest/types.ts";
import { WorkbenchError } from "../errors.ts";
import { asColumnTable } from "../prepare/dedupe.ts";

const DAY_MS = 86_400_000;

/** Feature columns and their role in the derived customer table. */
export const RFM_COLUMNS = {
  recency: "numeric",
  frequency: "numeric",
  // An exact copy of frequency − 1: clustering on both would double-weight frequency, so it is
  // shown in profiles only.
  repeatPurchases: "profile",
  monetary: "numeric",
  averageOrderValue: "numeric",
  tenure: "numeric",
  meanInterPurchaseDays: "numeric",
  totalQuantity: "numeric"
} as const satisfies Record<string, ColumnRole>;

export interface CustomerFeaturesReport {
  /** Rows in the transaction log. */
  transactions: number;
  /** Rows dropped: no customer id. */
  missingCustomer: number;
  /** Rows dropped: customer present, no date. */
  missingDate: number;
  /** Rows dated on or after the snapshot, excluded. */
  afterSnapshot: number;
  /** Rows used. */
  used: number;
  /** Purchases (distinct customer-days) among the rows used. */
  purchases: number;
  /** Used rows whose amount was missing (counted as 0). */
  missingAmount: number;
  /** Used rows whose quantity was missing (counted as 0); 0 without a quantity column. */
  missingQuantity: number;
  /** Used rows with a negative amount (returns), kept in the totals. */
  negativeAmount: number;
  notes: string[];
}

export interface CustomerFeatures {
  /** One row per customer (order of first transaction): the id column, then the features. */
  dataset: DatasetTable;
  /** Snapshot used, YYYY-MM-DD. */
  snapshot: string;
  customers: number;
  report: CustomerFeaturesReport;
}

export function customerFeatures(transactions: DatasetTable, options: { snapshot?: string } = {}): CustomerFeatures {
  const { entry, file } = transactions;
  const roleColumn = (role: ColumnRole) => transactions.columns.find((c) => c.role === role)?.name;
  const idCol = roleColumn("id");
  const dateCol = roleColumn("date");
  const amountCol = roleColumn("amount");
  const qtyCol = roleColumn("quantity");
  if (!idCol || !dateCol || !amountCol) {
    throw new WorkbenchError(`dataset "${entry.name}" is not a transaction log`, {
      file,
      expected: 'columns with roles "id", "date" and "amount"',
      hint: 'Set kind "transactions" and the column roles in the manifest'
    });
  }

  // Boundary: columns to plain arrays once.
  const table = asColumnTable(transactions.table);
  const n = table.numRows();
  const idsIn = table.array(idCol) as unknown[];
  const datesIn = table.array(dateCol) as ArrayLike<number | null>;
  const amountsIn = table.array(amountCol) as ArrayLike<number | null>;
  const qtyIn = qtyCol ? (table.array(qtyCol) as ArrayLike<number | null>) : null;

  let missingCustomer = 0;
  let missingDate = 0;
  let firstDay = Infinity;
  let lastDay = -Infinity;
  const valid = new Uint8Array(n);
  const day = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const id = idsIn[i];
    const date = datesIn[i];
    if (id === null || id === undefined || id === "") missingCustomer++;
    else if (date === null || date === undefined || Number.isNaN(date)) missingDate++;
    else {
      valid[i] = 1;
      day[i] = Math.floor(Number(date) / DAY_MS);
      if (day[i] > lastDay) lastDay = day[i];
      if (day[i] < firstDay) firstDay = day[i];
    }
  }
  if (lastDay === -Infinity) {
    throw new WorkbenchError("the transaction log has no rows with both a customer id and a date", {
      file,
      column: missingCustomer >= missingDate ? idCol : dateCol,
      hint: "Check the column roles and the date format in the manifest"
    });
  }
  const snapshotDay = options.snapshot !== undefined ? parseSnapshot(options.snapshot) : lastDay + 1;

  // Rows used, as a small working table for arquero's grouping.
  const custs: string[] = [];
  const days: number[] = [];
  const amounts: number[] = [];
  const qtys: number[] = [];
  const srcRows: number[] = [];
  let afterSnapshot = 0;
  let missingAmount = 0;
  let missingQuantity = 0;
  let negativeAmount = 0;
  for (let i = 0; i < n; i++) {
    if (!valid[i]) continue;
    if (day[i] >= snapshotDay) {
      afterSnapshot++;
      continue;
    }
    let a = amountsIn[i];
    if (a === null || a === undefined || Number.isNaN(a)) {
      missingAmount++;
      a = 0;
    } else if (a < 0) negativeAmount++;
    let q = qtyIn ? qtyIn[i] : 0;
    if (q === null || q === undefined || Number.isNaN(q)) {
      missingQuantity++;
      q = 0;
    }
    custs.push(String(idsIn[i]));
    days.push(day[i]);
    amounts.push(Number(a));
    qtys.push(Number(q));
    srcRows.push(i);
  }
  const snapshot = formatDay(snapshotDay);
  if (custs.length === 0) {
    throw new WorkbenchError(`no transactions before the snapshot ${snapshot}`, {
      file,
      column: "snapshot",
      found: snapshot,
      expected: `a date after the first transaction (${formatDay(firstDay)})`,
      hint: "Use a later --snapshot or leave it out to use the day after the last transaction"
    });
  }

  const perCustomer = aq
    .table({ c: custs, t: days, a: amounts, q: qtys, r: srcRows })
    .groupby("c", "t")
    .rollup({ a: op.sum("a"), q: op.sum("q"), r: op.min("r") })
    .groupby("c")
    .rollup({
      first: op.min("t"),
      last: op.max("t"),
      f: op.count(),
      m: op.sum("a"),
      q: op.sum("q"),
      r: op.min("r")
    });

  const k = perCustomer.numRows();
  const ids = perCustomer.array("c") as string[];
  const first = perCustomer.array("first", Float64Array) as Float64Array;
  const last = perCustomer.array("last", Float64Array) as Float64Array;
  const f = perCustomer.array("f", Float64Array) as Float64Array;
  const m = perCustomer.array("m", Float64Array) as Float64Array;
  const q = perCustomer.array("q", Float64Array) as Float64Array;
  const r = perCustomer.array("r", Int32Array) as Int32Array;

  const recency = new Float64Array(k);
  const tenure = new Float64Array(k);
  const repeat = new Float64Array(k);
  const aov = new Float64Array(k);
  const gap = new Float64Array(k);
  let purchases = 0;
  for (let i = 0; i < k; i++) {
    recency[i] = snapshotDay - last[i];
    tenure[i] = snapshotDay - first[i];
    repeat[i] = f[i] - 1;
    aov[i] = m[i] / f[i];
    gap[i] = f[i] > 1 ? (last[i] - first[i]) / (f[i] - 1) : tenure[i];
    purchases += f[i];
  }

  const featureData: Record<string, Float64Array> = {
    recency,
    frequency: f,
    repeatPurchases: repeat,
    monetary: m,
    averageOrderValue: aov,
    tenure,
    meanInterPurchaseDays: gap
  };
  if (qtyCol) featureData.totalQuantity = q;
  const out = aq.table({ [idCol]: ids, ...featureData });

  const roles: Record<string, ColumnRole> = { [idCol]: "id" };
  for (const name of Object.keys(featureData)) roles[name] = RFM_COLUMNS[name as keyof typeof RFM_COLUMNS];
  const derived: DatasetEntry = { ...entry, kind: "customers", columns: roles };

  const notes: string[] = [];
  if (missingCustomer) notes.push(`${missingCustomer} transaction(s) without a customer id dropped`);
  if (missingDate) notes.push(`${missingDate} transaction(s) without a date dropped`);
  if (afterSnapshot) notes.push(`${afterSnapshot} transaction(s) on or after the snapshot ${snapshot} excluded`);
  if (missingAmount) notes.push(`${missingAmount} transaction(s) without an amount counted as 0`);
  if (missingQuantity) notes.push(`${missingQuantity} transaction(s) without a quantity counted as 0`);
  if (negativeAmount) notes.push(`${negativeAmount} transaction(s) with a negative amount (returns) included in the totals`);
  notes.push(
    `${custs.length} transaction row(s) grouped into ${purchases} purchase(s) (one per customer and day) by ${k} customer(s); snapshot ${snapshot}`
  );

  const lines = Int32Array.from(r, (row) => transactions.lines[row] ?? row + 2);
  return {
    dataset: {
      entry: derived,
      file,
      table: out,
      columns: Object.entries(roles).map(([name, role]) => ({
        name,
        role,
        type: role === "id" ? ("string" as const) : ("number" as const),
        missing: 0
      })),
      lines,
      rows: k
    },
    snapshot,
    customers: k,
    report: {
      transactions: n,
      missingCustomer,
      missingDate,
      afterSnapshot,
      used: custs.length,
      purchases,
      missingAmount,
      missingQuantity,
      negativeAmount,
      notes
    }
  };
}

/** YYYY-MM-DD (a real calendar date) → days since the epoch. */
export function parseSnapshot(text: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const ms = match ? Date.UTC(+match[1], +match[2] - 1, +match[3]) : NaN;
  if (!match || Number.isNaN(ms) || formatDay(ms / DAY_MS) !== text) {
    throw new WorkbenchError("invalid snapshot date", {
      column: "snapshot",
      found: text,
      expected: "a date as YYYY-MM-DD, e.g. 1998-07-01"
    });
  }
  return ms / DAY_MS;
}

function formatDay(d: number): string {
  return new Date(d * DAY_MS).toISOString().slice(0, 10);
}
