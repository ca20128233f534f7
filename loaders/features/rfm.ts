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
 * - amount: the amount column, or quantity × price when the log has a price column instead.
 * Data quality: rows without customer or date are dropped and counted (they cannot be placed);
 * a missing amount or quantity counts as 0 — the purchase itself is known to have happened —
 * and is counted in the report.
 * Cancellations (the manifest's rule: an invoice prefix such as "C", and/or a negative
 * quantity) are not purchases: they leave frequency, recency and tenure alone, and their value
 * (always subtracted, whatever its sign in the file) is netted from monetary, which stops at 0
 * (a cancelled purchase from before the log is no debt). A customer with only cancellations is
 * no customer. Without a rule, negative amounts (returns) stay in the totals and are reported.
 * Dates after the run date (SOURCE_DATE_EPOCH, else today) cannot have happened yet: by
 * default they are left out, so one mistyped year cannot move the snapshot to 2099.
 * A log spanning fewer than MIN_SPAN_DAYS days cannot tell recent from lapsed customers:
 * `report.shortSpan` says so, and RFM names then use frequency and monetary value only.
 */
import * as aq from "arquero";
import type { DatasetTable } from "../io/types.ts";
import type { ColumnRole, DatasetEntry } from "../manifest/types.ts";
import { WorkbenchError } from "../errors.ts";
import { asColumnTable } from "../prepare/dedupe.ts";

export const DAY_MS = 86_400_000;
/** Below this span of purchase dates (days), recency does not separate customers. */
export const MIN_SPAN_DAYS = 60;

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

/** The derived features in the words pages use. */
export const RFM_WORDS: Record<keyof typeof RFM_COLUMNS, string> = {
  recency: "days since last purchase",
  frequency: "purchases",
  repeatPurchases: "repeat purchases",
  monetary: "total spend",
  averageOrderValue: "average order value",
  tenure: "days since first purchase",
  meanInterPurchaseDays: "days between purchases",
  totalQuantity: "items bought"
};

export interface CustomerFeaturesReport {
  /** Rows in the transaction log. */
  transactions: number;
  /** Rows dropped: no customer id. */
  missingCustomer: number;
  /** Rows dropped: customer present, no date. */
  missingDate: number;
  /** Rows dated after the run date, left out (only without an explicit snapshot). */
  future: number;
  /** Rows dated on or after the snapshot, excluded. */
  afterSnapshot: number;
  /** Rows used (purchases and cancellations). */
  used: number;
  /** Purchases (distinct customer-days with a purchase row) among the rows used. */
  purchases: number;
  /** Used rows whose amount was missing (counted as 0). */
  missingAmount: number;
  /** Used rows whose quantity was missing (counted as 0); 0 without a quantity column. */
  missingQuantity: number;
  /** Used purchase rows with a negative amount (returns without a cancellation rule), kept in the totals. */
  negativeAmount: number;
  /** Cancellation rows among those used, their total value (≤ 0), customers with nothing but cancellations, and customers whose net value was negative (set to 0). */
  cancellations: { rows: number; value: number; onlyCancelled: number; negativeNet: number } | null;
  /** Days from the first to the last purchase, both included. */
  spanDays: number;
  /** The span is under MIN_SPAN_DAYS: recency cannot be used to name customers. */
  shortSpan: boolean;
  notes: string[];
}

/** Purchases as value models need them: one per customer and day, with that day's net amount. */
export interface Purchases {
  /** Customer of each purchase: its row in the features table. */
  customer: Int32Array;
  /** Whole days since 1970-01-01 (UTC). */
  day: Int32Array;
  amount: Float64Array;
}

export interface CustomerFeatures {
  /** One row per customer (order of first transaction): the id column, then the features. */
  dataset: DatasetTable;
  /** Snapshot used, YYYY-MM-DD. */
  snapshot: string;
  customers: number;
  /** Every purchase day of every customer, ordered by customer then day. */
  purchases: Purchases;
  report: CustomerFeaturesReport;
}

/** The run's time (epoch ms): SOURCE_DATE_EPOCH (seconds) when set, so builds can be reproduced. */
export function runTime(): number {
  const epoch = Number(process.env.SOURCE_DATE_EPOCH);
  return process.env.SOURCE_DATE_EPOCH && Number.isFinite(epoch) ? epoch * 1000 : Date.now();
}

/** The run's "today" in whole days. */
export function runDay(): number {
  return Math.floor(runTime() / DAY_MS);
}

export function customerFeatures(transactions: DatasetTable, options: { snapshot?: string; today?: number } = {}): CustomerFeatures {
  const { entry, file } = transactions;
  const roleColumn = (role: ColumnRole) => transactions.columns.find((c) => c.role === role)?.name;
  const idCol = roleColumn("id");
  const dateCol = roleColumn("date");
  const amountCol = roleColumn("amount");
  const priceCol = roleColumn("price");
  const qtyCol = roleColumn("quantity");
  const invoiceCol = roleColumn("invoice");
  if (!idCol || !dateCol || !(amountCol || (priceCol && qtyCol))) {
    throw new WorkbenchError(`dataset "${entry.name}" is not a transaction log`, {
      file,
      expected: 'columns with roles "id", "date" and "amount" (or "quantity" and "price")',
      hint: 'Set kind "transactions" and the column roles in the manifest'
    });
  }
  const rule = entry.cancellations ?? {};

  // Boundary: columns to plain arrays once.
  const table = asColumnTable(transactions.table);
  const n = table.numRows();
  const idsIn = table.array(idCol) as unknown[];
  const datesIn = table.array(dateCol) as ArrayLike<number | null>;
  const amountsIn = amountCol ? (table.array(amountCol) as ArrayLike<number | null>) : null;
  const pricesIn = priceCol ? (table.array(priceCol) as ArrayLike<number | null>) : null;
  const qtyIn = qtyCol ? (table.array(qtyCol) as ArrayLike<number | null>) : null;
  const invoicesIn = invoiceCol ? (table.array(invoiceCol) as Array<string | null>) : null;
  const missingNumber = (v: number | null | undefined) => v === null || v === undefined || Number.isNaN(v);

  let missingCustomer = 0;
  let missingDate = 0;
  let future = 0;
  const today = options.today ?? runDay();
  const explicit = options.snapshot !== undefined;
  let firstDay = Infinity;
  let lastDay = -Infinity;
  const valid = new Uint8Array(n);
  const day = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const id = idsIn[i];
    const date = datesIn[i];
    if (id === null || id === undefined || id === "") missingCustomer++;
    else if (missingNumber(date)) missingDate++;
    else {
      day[i] = Math.floor(Number(date) / DAY_MS);
      if (!explicit && day[i] > today) {
        future++;
        continue;
      }
      valid[i] = 1;
      if (day[i] > lastDay) lastDay = day[i];
      if (day[i] < firstDay) firstDay = day[i];
    }
  }
  if (lastDay === -Infinity) throw nothingPlaced({ file, idCol, dateCol, future, missingCustomer, missingDate, today });
  const snapshotDay = explicit ? parseSnapshot(options.snapshot!) : lastDay + 1;

  // Rows used, with their customer as a dense index in order of first appearance.
  const index = new Map<string, number>();
  const ids: string[] = [];
  const firstRow: number[] = [];
  const rowCustomer = new Int32Array(n).fill(-1);
  const rowValue = new Float64Array(n);
  const rowQty = new Float64Array(n);
  const rowCancel = new Uint8Array(n);
  let used = 0;
  let afterSnapshot = 0;
  let missingAmount = 0;
  let missingQuantity = 0;
  let negativeAmount = 0;
  let cancelRows = 0;
  let cancelValue = 0;
  for (let i = 0; i < n; i++) {
    if (!valid[i]) continue;
    if (day[i] >= snapshotDay) {
      afterSnapshot++;
      continue;
    }
    let q = qtyIn ? qtyIn[i] : 0;
    const qMissing = missingNumber(q);
    if (qMissing) {
      missingQuantity++;
      q = 0;
    }
    let a: number | null | undefined = amountsIn ? amountsIn[i] : qMissing || missingNumber(pricesIn![i]) ? NaN : Number(q) * Number(pricesIn![i]);
    if (missingNumber(a)) {
      missingAmount++;
      a = 0;
    }
    const invoice = invoicesIn?.[i];
    const cancelled = (rule.invoicePrefix !== undefined && typeof invoice === "string" && invoice.startsWith(rule.invoicePrefix)) || (rule.negativeQuantity === true && Number(q) < 0);
    if (cancelled) {
      rowCancel[i] = 1;
      a = -Math.abs(Number(a));
      q = -Math.abs(Number(q));
      cancelRows++;
      cancelValue += a;
    } else if (Number(a) < 0) negativeAmount++;
    const key = String(idsIn[i]);
    let c = index.get(key);
    if (c === undefined) {
      c = ids.length;
      index.set(key, c);
      ids.push(key);
      firstRow.push(i);
    }
    rowCustomer[i] = c;
    rowValue[i] = Number(a);
    rowQty[i] = Number(q);
    used++;
  }
  if (used === 0) throw nothingBefore(file, snapshotDay, firstDay);

  // Rows grouped by customer (counting sort keeps row order within a customer), then by day.
  const customersSeen = ids.length;
  const start = new Int32Array(customersSeen + 1);
  for (let i = 0; i < n; i++) if (rowCustomer[i] >= 0) start[rowCustomer[i] + 1]++;
  for (let c = 0; c < customersSeen; c++) start[c + 1] += start[c];
  const order = new Int32Array(used);
  const fill = start.slice(0, customersSeen);
  for (let i = 0; i < n; i++) if (rowCustomer[i] >= 0) order[fill[rowCustomer[i]]++] = i;

  const out = { first: [] as number[], last: [] as number[], f: [] as number[], m: [] as number[], q: [] as number[], row: [] as number[], id: [] as string[] };
  const pCustomer: number[] = [];
  const pDay: number[] = [];
  const pAmount: number[] = [];
  let onlyCancelled = 0;
  let negativeNet = 0;
  let purchases = 0;
  let spanFirst = Infinity;
  let spanLast = -Infinity;
  for (let c = 0; c < customersSeen; c++) {
    const rows = Array.from(order.subarray(start[c], start[c + 1])).sort((x, y) => day[x] - day[y] || x - y);
    let money = 0;
    let qty = 0;
    let f = 0;
    let first = Infinity;
    let last = -Infinity;
    const customer = out.id.length;
    for (let j = 0; j < rows.length; ) {
      const d = day[rows[j]];
      let dayValue = 0;
      let bought = false;
      for (; j < rows.length && day[rows[j]] === d; j++) {
        const i = rows[j];
        dayValue += rowValue[i];
        qty += rowQty[i];
        if (!rowCancel[i]) bought = true;
      }
      money += dayValue;
      if (!bought) continue;
      f++;
      if (d < first) first = d;
      last = d;
      pCustomer.push(customer);
      pDay.push(d);
      pAmount.push(dayValue);
    }
    if (f === 0) {
      onlyCancelled++;
      continue;
    }
    if (!Number.isFinite(money) || !Number.isFinite(qty)) {
      throw new WorkbenchError(`the ${Number.isFinite(money) ? "quantities" : "amounts"} of customer ${ids[c]} add up beyond ±1.8e308`, {
        file,
        column: Number.isFinite(money) ? qtyCol : amountCol ?? priceCol,
        hint: "Check the values of that customer's rows; a unit error (cents as dollars, a missing decimal point) is the usual cause"
      });
    }
    if (money < 0) {
      negativeNet++;
      money = 0;
    }
    purchases += f;
    if (first < spanFirst) spanFirst = first;
    if (last > spanLast) spanLast = last;
    out.id.push(ids[c]);
    out.first.push(first);
    out.last.push(last);
    out.f.push(f);
    out.m.push(money);
    out.q.push(qty);
    out.row.push(firstRow[c]);
  }
  const k = out.id.length;
  if (k === 0) throw onlyCancellations(file);

  const recency = new Float64Array(k);
  const tenure = new Float64Array(k);
  const aov = new Float64Array(k);
  const gap = new Float64Array(k);
  const frequency = Float64Array.from(out.f);
  const monetary = Float64Array.from(out.m);
  for (let i = 0; i < k; i++) {
    recency[i] = snapshotDay - out.last[i];
    tenure[i] = snapshotDay - out.first[i];
    aov[i] = out.m[i] / out.f[i];
    gap[i] = out.f[i] > 1 ? (out.last[i] - out.first[i]) / (out.f[i] - 1) : tenure[i];
  }

  const featureData: Record<string, Float64Array> = {
    recency,
    frequency,
    monetary,
    averageOrderValue: aov,
    tenure,
    meanInterPurchaseDays: gap
  };
  if (qtyCol) featureData.totalQuantity = Float64Array.from(out.q);
  return assembleFeatures({
    log: transactions,
    ids: out.id,
    features: featureData,
    lines: Int32Array.from(out.row, (row) => transactions.lines[row] ?? row + 2),
    snapshotDay,
    today,
    purchases: { customer: Int32Array.from(pCustomer), day: Int32Array.from(pDay), amount: Float64Array.from(pAmount) },
    counts: {
      transactions: n,
      missingCustomer,
      missingDate,
      future,
      afterSnapshot,
      used,
      purchases,
      missingAmount,
      missingQuantity,
      negativeAmount,
      cancellations: rule.invoicePrefix !== undefined || rule.negativeQuantity ? { rows: cancelRows, value: round2(cancelValue), onlyCancelled, negativeNet } : null,
      spanDays: spanLast - spanFirst + 1
    }
  });
}

/** What a log is, for assembleFeatures: the reader's table, or a log aggregated where it lives (loaders/source). */
export interface LogDescription {
  entry: DatasetEntry;
  file: string;
  columns: DatasetTable["columns"];
  notes: string[];
}

/**
 * The features table, its report and notes, from per-customer feature columns (in RFM_COLUMNS
 * order; repeatPurchases is derived here) and the counts of how the log was used. Shared by
 * customerFeatures and the SQL path, so both describe a log in the same words.
 */
export function assembleFeatures(input: {
  log: LogDescription;
  ids: string[];
  features: Record<string, Float64Array>;
  lines: Int32Array;
  snapshotDay: number;
  today: number;
  purchases: Purchases;
  counts: LogCounts;
}): CustomerFeatures {
  const { log, ids, snapshotDay, today, counts } = input;
  return {
    dataset: featuresTable(log, ids, input.features, input.lines),
    snapshot: formatDay(snapshotDay),
    customers: ids.length,
    purchases: input.purchases,
    report: logReport(log, counts, ids.length, snapshotDay, today)
  };
}

/** How a log's rows were used: the report's counts. */
export type LogCounts = Omit<CustomerFeaturesReport, "shortSpan" | "notes">;

/** The per-customer table: the id column, then the features (repeatPurchases derived from frequency). */
export function featuresTable(log: LogDescription, ids: string[], features: Record<string, Float64Array>, lines: Int32Array): DatasetTable {
  const idCol = log.columns.find((c) => c.role === "id")!.name;
  const repeatPurchases = features.frequency.map((f) => f - 1);
  const featureData: Record<string, Float64Array> = {};
  for (const name of Object.keys(RFM_COLUMNS)) {
    const values = name === "repeatPurchases" ? repeatPurchases : features[name];
    if (values) featureData[name] = values;
  }
  const roles: Record<string, ColumnRole> = { [idCol]: "id" };
  for (const name of Object.keys(featureData)) roles[name] = RFM_COLUMNS[name as keyof typeof RFM_COLUMNS];
  const { cancellations: _rule, ...rest } = log.entry;
  return {
    entry: { ...rest, kind: "customers", columns: roles },
    file: log.file,
    table: aq.table({ [idCol]: ids, ...featureData }),
    columns: Object.entries(roles).map(([name, role]) => ({
      name,
      role,
      type: role === "id" ? ("string" as const) : ("number" as const),
      missing: 0
    })),
    lines,
    rows: ids.length,
    notes: []
  };
}

/** The report of how a log became `customers` customers, with its notes in words. */
export function logReport(log: LogDescription, counts: LogCounts, customers: number, snapshotDay: number, today: number): CustomerFeaturesReport {
  const rule = log.entry.cancellations ?? {};
  const { missingCustomer, missingDate, future, afterSnapshot, missingAmount, missingQuantity, negativeAmount, used, purchases, spanDays } = counts;
  const snapshot = formatDay(snapshotDay);
  const shortSpan = spanDays < MIN_SPAN_DAYS;
  const notes: string[] = [...log.notes];
  if (missingCustomer) notes.push(`${missingCustomer} transaction(s) without a customer id dropped`);
  if (missingDate) notes.push(`${missingDate} transaction(s) without a date dropped`);
  if (future) notes.push(`${future} transaction(s) dated after today (${formatDay(today)}) left out: they cannot have happened yet; check their dates, or set a snapshot to keep them`);
  if (afterSnapshot) notes.push(`${afterSnapshot} transaction(s) on or after the snapshot ${snapshot} excluded`);
  if (missingAmount) notes.push(`${missingAmount} transaction(s) without an amount counted as 0`);
  if (missingQuantity) notes.push(`${missingQuantity} transaction(s) without a quantity counted as 0`);
  if (negativeAmount) {
    notes.push(`${negativeAmount} transaction(s) with a negative amount (returns) counted as purchases and included in the totals; a cancellation rule in data/manifest.json would net them instead`);
  }
  const c = counts.cancellations;
  if (c?.rows) notes.push(`${c.rows} cancellation(s) worth ${round2(-c.value)} netted from monetary value, not counted as purchases`);
  if (c?.onlyCancelled) notes.push(`${c.onlyCancelled} customer(s) with only cancellations left out`);
  if (c?.negativeNet) {
    notes.push(`${c.negativeNet} customer(s) ${rule.invoicePrefix !== undefined || rule.negativeQuantity ? "cancelled" : "returned"} more than they bought in the log; their monetary value is set to 0`);
  }
  if (shortSpan) {
    notes.push(`the log spans ${spanDays} day(s), under ${MIN_SPAN_DAYS}: recency cannot tell recent from lapsed customers, so RFM names use frequency and monetary value only`);
  }
  notes.push(`${used} transaction row(s) grouped into ${purchases} purchase(s) (one per customer and day) by ${customers} customer(s); snapshot ${snapshot}`);
  return { ...counts, shortSpan, notes };
}

/** No row has both a customer and a date (before today, without an explicit snapshot). */
export function nothingPlaced(c: { file: string; idCol: string; dateCol: string; future: number; missingCustomer: number; missingDate: number; today: number }): WorkbenchError {
  return new WorkbenchError(c.future ? `every dated transaction is after today (${formatDay(c.today)})` : "the transaction log has no rows with both a customer id and a date", {
    file: c.file,
    column: c.future || c.missingCustomer < c.missingDate ? c.dateCol : c.idCol,
    hint: c.future ? "Check the date format (day and month swapped? two-digit years?), or give a snapshot date" : "Check the column roles and the date format in the manifest"
  });
}

export function nothingBefore(file: string, snapshotDay: number, firstDay: number): WorkbenchError {
  const snapshot = formatDay(snapshotDay);
  return new WorkbenchError(`no transactions before the snapshot ${snapshot}`, {
    file,
    column: "snapshot",
    found: snapshot,
    expected: `a date after the first transaction (${formatDay(firstDay)})`,
    hint: "Use a later --snapshot or leave it out to use the day after the last transaction"
  });
}

export function onlyCancellations(file: string): WorkbenchError {
  return new WorkbenchError("every customer's transactions are cancellations: no purchases to describe", {
    file,
    hint: "Check the cancellation rule in data/manifest.json"
  });
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
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

/** YYYY-MM-DD of a day number (days since 1970-01-01). */
export function formatDay(d: number): string {
  return new Date(d * DAY_MS).toISOString().slice(0, 10);
}
