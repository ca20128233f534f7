/**
 * A transaction log's per-customer features as SQL, computed where the data lives so only one
 * row per customer travels. The definitions are customerFeatures' (features/rfm.ts), step by
 * step: rows without a customer or a date are left out; a missing amount or quantity counts as
 * 0; a cancellation (invoice prefix, negative quantity) is subtracted and is no purchase; rows
 * of one customer and day are one purchase day; a customer whose days are all cancellations is
 * no customer; monetary value stops at 0. Every query stays in the portable subset (sqlText.ts).
 */
import type { CancellationRule } from "../manifest/types.ts";
import { dayNumber, literal, quoted, type SqlDialect } from "./sqlText.ts";

/** Where the log's columns are, and how to read them. */
export interface LogColumns {
  /** A FROM item: a quoted table name, `(query) AS alias`, or DuckDB's read_parquet(...). */
  relation: string;
  id: string;
  date: string;
  amount?: string;
  quantity?: string;
  price?: string;
  invoice?: string;
  cancellations: CancellationRule;
  dialect: SqlDialect;
  /** The id column holds text, where an empty text is no id, as an empty field in a file. */
  idText: boolean;
}

const NUMBER = "DOUBLE PRECISION";

function column(name: string): string {
  return quoted(name);
}

/** A row has a customer (an empty text is no id, as an empty field in a file). */
function hasCustomer(log: LogColumns): string {
  return `${column(log.id)} IS NOT NULL${log.idText ? ` AND ${column(log.id)} <> ''` : ""}`;
}

/**
 * What rows are grouped by. DuckDB groups a stored number fastest (and within a small memory
 * limit), so the id becomes text once per customer; PostgreSQL plans a parallel sort and group
 * aggregate on text, but spilling serial hash aggregates on an integer key (measured 18 s against
 * 29 s on 10M rows), so the id is text from the start.
 */
function groupKey(log: LogColumns): string {
  return log.dialect === "duckdb" ? column(log.id) : `CAST(${column(log.id)} AS VARCHAR)`;
}

/**
 * Counts over the whole log, and the first and last day of the rows that can be placed
 * (`today`: rows after it are left out, as the file path does without an explicit snapshot;
 * null with an explicit snapshot).
 */
export function boundsSql(log: LogColumns, today: number | null): string {
  const day = dayNumber(column(log.date), log.dialect);
  const placed = `${hasCustomer(log)} AND ${column(log.date)} IS NOT NULL`;
  const current = today === null ? placed : `${placed} AND ${day} <= ${today}`;
  return `SELECT CAST(COUNT(*) AS ${NUMBER}) AS transactions,
  CAST(SUM(CASE WHEN ${hasCustomer(log)} THEN 0 ELSE 1 END) AS ${NUMBER}) AS missing_customer,
  CAST(SUM(CASE WHEN ${hasCustomer(log)} AND ${column(log.date)} IS NULL THEN 1 ELSE 0 END) AS ${NUMBER}) AS missing_date,
  CAST(SUM(CASE WHEN ${placed} AND NOT (${current}) THEN 1 ELSE 0 END) AS ${NUMBER}) AS future,
  MIN(CASE WHEN ${current} THEN ${day} END) AS first_day,
  MAX(CASE WHEN ${current} THEN ${day} END) AS last_day,
  MAX(${day}) AS last_dated_day
FROM ${log.relation}`;
}

/** One row per used transaction row (before the snapshot), with its signed value and flags. */
function rowsSql(log: LogColumns, snapshotDay: number): string {
  const qty = log.quantity ? `CAST(${column(log.quantity)} AS ${NUMBER})` : "CAST(0 AS DOUBLE PRECISION)";
  const rawAmount = log.amount ? `CAST(${column(log.amount)} AS ${NUMBER})` : `${qty} * CAST(${column(log.price!)} AS ${NUMBER})`;
  const rule = log.cancellations;
  const tests: string[] = [];
  if (rule.invoicePrefix !== undefined && log.invoice) {
    tests.push(`SUBSTRING(CAST(${column(log.invoice)} AS VARCHAR) FROM 1 FOR ${[...rule.invoicePrefix].length}) = ${literal(rule.invoicePrefix)}`);
  }
  if (rule.negativeQuantity && log.quantity) tests.push(`${qty} < 0`);
  const cancelled = tests.length ? `CASE WHEN ${tests.join(" OR ")} THEN 1 ELSE 0 END` : "0";
  const day = dayNumber(column(log.date), log.dialect);
  const inner = `SELECT ${groupKey(log)} AS customer_id, ${day} AS day,
    COALESCE(${rawAmount}, 0) AS amount, COALESCE(${qty}, 0) AS quantity, ${cancelled} AS cancelled,
    CASE WHEN ${rawAmount} IS NULL THEN 1 ELSE 0 END AS missing_amount,
    CASE WHEN ${log.quantity ? `${qty} IS NULL` : "1 = 0"} THEN 1 ELSE 0 END AS missing_quantity
  FROM ${log.relation}
  WHERE ${hasCustomer(log)} AND ${column(log.date)} IS NOT NULL`;
  return `SELECT customer_id, day, cancelled, missing_amount, missing_quantity,
    CASE WHEN cancelled = 1 THEN -ABS(amount) ELSE amount END AS value,
    CASE WHEN cancelled = 1 THEN -ABS(quantity) ELSE quantity END AS quantity,
    CASE WHEN cancelled = 0 AND amount < 0 THEN 1 ELSE 0 END AS negative_amount
  FROM (${inner}) AS log_rows
  WHERE day < ${snapshotDay}`;
}

/** One row per customer and day: its net value, and whether any row was a purchase. */
function daysSql(log: LogColumns, snapshotDay: number): string {
  return `SELECT customer_id, day, SUM(value) AS value, SUM(quantity) AS quantity, 1 - MIN(cancelled) AS bought
  FROM (${rowsSql(log, snapshotDay)}) AS used_rows
  GROUP BY customer_id, day`;
}

/** Per customer, over their days (those with only cancellations included). */
function customerTotalsSql(log: LogColumns, snapshotDay: number): string {
  return `SELECT customer_id, SUM(bought) AS frequency,
    MIN(CASE WHEN bought = 1 THEN day END) AS first_day, MAX(CASE WHEN bought = 1 THEN day END) AS last_day,
    SUM(value) AS money, SUM(quantity) AS quantity
  FROM (${daysSql(log, snapshotDay)}) AS customer_days
  GROUP BY customer_id`;
}

/**
 * How the rows before the snapshot were used, in one flat pass (no grouping: carried through the
 * per-customer grouping, these counts made it spill to disk, 30 s against 8 s on 20M rows).
 */
export function rowCountsSql(log: LogColumns, snapshotDay: number): string {
  const sum = (expression: string, name: string) => `CAST(COALESCE(SUM(${expression}), 0) AS ${NUMBER}) AS "${name}"`;
  return `SELECT CAST(COUNT(*) AS ${NUMBER}) AS "used", ${[
    sum("missing_amount", "missingAmount"),
    sum("missing_quantity", "missingQuantity"),
    sum("negative_amount", "negativeAmount"),
    sum("cancelled", "cancelRows"),
    sum("CASE WHEN cancelled = 1 THEN value ELSE 0 END", "cancelValue")
  ].join(", ")}
FROM (${rowsSql(log, snapshotDay)}) AS used_rows`;
}

/** The per-customer features of features/rfm.ts (RFM_COLUMNS), one row per customer with a purchase. */
export const FEATURE_OUTPUT = ["recency", "frequency", "monetary", "averageOrderValue", "tenure", "meanInterPurchaseDays", "totalQuantity"] as const;

/**
 * One row per customer who has a row before the snapshot: the features (NULL for a customer with
 * only cancellations, who is no customer, counted by the workbench) and whether their net value
 * was below 0.
 */
export function customersSql(log: LogColumns, snapshotDay: number): string {
  const net = "GREATEST(money, 0)";
  return `SELECT CAST(customer_id AS VARCHAR) AS customer_id,
  CAST(${snapshotDay} - last_day AS ${NUMBER}) AS recency,
  CAST(frequency AS ${NUMBER}) AS frequency,
  CAST(${net} AS ${NUMBER}) AS monetary,
  CASE WHEN frequency > 0 THEN CAST(${net} AS ${NUMBER}) / frequency END AS "averageOrderValue",
  CAST(${snapshotDay} - first_day AS ${NUMBER}) AS tenure,
  CASE WHEN frequency > 1 THEN CAST(last_day - first_day AS ${NUMBER}) / (frequency - 1) ELSE CAST(${snapshotDay} - first_day AS ${NUMBER}) END AS "meanInterPurchaseDays",
  CAST(quantity AS ${NUMBER}) AS "totalQuantity",
  CASE WHEN frequency > 0 AND money < 0 THEN CAST(1 AS ${NUMBER}) ELSE CAST(0 AS ${NUMBER}) END AS "negativeNet"
FROM (${customerTotalsSql(log, snapshotDay)}) AS customer_totals`;
}

/** Every purchase day (a day with a purchase row) with its net value: what the value models read. */
export function purchaseDaysSql(log: LogColumns, snapshotDay: number): string {
  return `SELECT CAST(customer_id AS VARCHAR) AS customer_id, CAST(day AS INTEGER) AS day, CAST(value AS ${NUMBER}) AS value
FROM (${daysSql(log, snapshotDay)}) AS customer_days
WHERE bought = 1`;
}

/** A table's row count and newest date or timestamp (as text): with the query text, what a rebuild compares. */
export function changeSql(relation: string, date: string | undefined): string {
  const newest = date ? `CAST(MAX(${column(date)}) AS VARCHAR)` : "CAST(NULL AS VARCHAR)";
  return `SELECT CAST(COUNT(*) AS ${NUMBER}) AS row_count, ${newest} AS newest FROM ${relation}`;
}
