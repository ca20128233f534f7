/**
 * A transaction log in a database or a Parquet file: its per-customer features are computed there
 * (transactionSql.ts) and only one row per customer comes back — plus one row per purchase day
 * when the value models need them. The result is the CustomerFeatures the file path builds from
 * the same rows (a test holds both to the same numbers).
 *
 * Customers come back in no particular order, so they are put in id order: by number when every
 * id is a whole number, else by code units. (A file keeps its customers in order of first
 * appearance; a CSV sorted by customer gives the same order.)
 */
import { assembleFeatures, nothingBefore, nothingPlaced, onlyCancellations, parseSnapshot, runDay, type CustomerFeatures, type LogCounts, type LogDescription, type Purchases } from "../features/rfm.ts";
import type { DatasetTable } from "../io/types.ts";
import type { ColumnRole, DatasetEntry } from "../manifest/types.ts";
import { checkedColumn } from "./columnCheck.ts";
import { readAll, type SqlConnection, type ValueKind } from "./connection.ts";
import { boundsSql, customersSql, FEATURE_OUTPUT, purchaseDaysSql, rowCountsSql, type LogColumns } from "./transactionSql.ts";

/** A log whose features were computed where it lives, at the snapshots asked for. */
export interface PushedDownLog {
  entry: DatasetEntry;
  /** The data, as messages name it. */
  file: string;
  /** Rows of the log. */
  rows: number;
  columns: DatasetTable["columns"];
  notes: string[];
  /** Day number of the last dated row (rows without a customer included), as the file path's snapshot checks read it. */
  lastDatedDay: number;
  /** Features by the snapshot asked for; "" is the day after the last purchase. */
  features: Map<string, CustomerFeatures>;
}

const ROLES_READ: ColumnRole[] = ["id", "date", "amount", "quantity", "price", "invoice"];

/** The log's columns, checked against what the relation holds. */
export async function logColumns(connection: SqlConnection, entry: DatasetEntry, relation: string): Promise<{ log: LogColumns; columns: DatasetTable["columns"] }> {
  const types = await connection.describe(relation);
  const named = (role: ColumnRole) => Object.entries(entry.columns).find(([, r]) => r === role)?.[0];
  const columns: DatasetTable["columns"] = [];
  for (const role of ROLES_READ) {
    const name = named(role);
    if (name === undefined) continue;
    columns.push({ name, role, type: checkedColumn(connection.label, entry, types, name, role), missing: 0 });
  }
  const log: LogColumns = {
    relation,
    id: named("id")!,
    date: named("date")!,
    amount: named("amount"),
    quantity: named("quantity"),
    price: named("price"),
    invoice: named("invoice"),
    cancellations: entry.cancellations ?? {},
    dialect: connection.dialect,
    idText: types.get(named("id")!) === "text"
  };
  return { log, columns };
}

interface Bounds {
  transactions: number;
  missingCustomer: number;
  missingDate: number;
  future: number;
  firstDay: number | null;
  lastDay: number | null;
  lastDatedDay: number | null;
}

async function bounds(connection: SqlConnection, log: LogColumns, today: number | null): Promise<Bounds> {
  const names = ["transactions", "missingCustomer", "missingDate", "future", "firstDay", "lastDay", "lastDatedDay"] as const;
  const r = await readAll(connection, boundsSql(log, today), names.map((n) => [n, "number"]));
  const value = (name: (typeof names)[number]) => (r[name] as Float64Array)[0];
  const orNull = (x: number) => (Number.isNaN(x) ? null : x);
  return {
    transactions: value("transactions") || 0,
    missingCustomer: value("missingCustomer") || 0,
    missingDate: value("missingDate") || 0,
    future: value("future") || 0,
    firstDay: orNull(value("firstDay")),
    lastDay: orNull(value("lastDay")),
    lastDatedDay: orNull(value("lastDatedDay"))
  };
}

/** A log where it lives, at one snapshot: its columns, bounds and the snapshot's day. */
export interface LogAtSnapshot {
  log: LogColumns;
  description: LogDescription;
  snapshotDay: number;
  bounds: Bounds;
  /** The feature columns of customersSql's rows, after the id. */
  outputs: string[];
}

/**
 * Reads a log's columns once and resolves snapshots against it: the entry's own (undefined: the day
 * after the last purchase, rows after `today` left out) or an explicit date. Errors as the file path's.
 */
export async function logReader(connection: SqlConnection, entry: DatasetEntry, relation: string, today: number) {
  const { log, columns } = await logColumns(connection, entry, relation);
  const description: LogDescription = { entry, file: connection.label, columns, notes: [] };
  const boundsCache = new Map<boolean, Bounds>();
  return async (snapshot: string | undefined): Promise<LogAtSnapshot> => {
    const explicit = snapshot !== undefined;
    if (!boundsCache.has(explicit)) boundsCache.set(explicit, await bounds(connection, log, explicit ? null : today));
    const b = boundsCache.get(explicit)!;
    if (b.lastDay === null) {
      throw nothingPlaced({ file: connection.label, idCol: log.id, dateCol: log.date, future: b.future, missingCustomer: b.missingCustomer, missingDate: b.missingDate, today });
    }
    return {
      log,
      description,
      snapshotDay: explicit ? parseSnapshot(snapshot) : b.lastDay + 1,
      bounds: b,
      outputs: FEATURE_OUTPUT.filter((name) => name !== "totalQuantity" || log.quantity !== undefined)
    };
  };
}

/**
 * The customers' features at the snapshot, `chunkRows` customers at a time in the database's
 * order (customers with only cancellations left out), and once all have come, how the log's rows
 * were used: a flat count of the rows, and what the customers' rows say.
 */
export async function streamCustomers(
  connection: SqlConnection,
  at: LogAtSnapshot,
  chunkRows: number,
  onChunk: (ids: string[], features: Record<string, Float64Array>) => void | Promise<void>
): Promise<LogCounts> {
  const countNames = ["used", "missingAmount", "missingQuantity", "negativeAmount", "cancelRows", "cancelValue"] as const;
  const rowCounts = await readAll(connection, rowCountsSql(at.log, at.snapshotDay), countNames.map((n) => [n, "number"]));
  const count = (name: (typeof countNames)[number]) => (rowCounts[name] as Float64Array)[0];
  const b = at.bounds;
  if (!(count("used") > 0)) throw nothingBefore(connection.label, at.snapshotDay, b.firstDay!);
  // Every column customersSql selects, in its order; `outputs` are those passed on.
  const kinds: Array<[string, ValueKind]> = [["customer_id", "text"], ...[...FEATURE_OUTPUT, "negativeNet"].map((name): [string, ValueKind] => [name, "number"])];
  let purchases = 0;
  let onlyCancelled = 0;
  let negativeNet = 0;
  let first = Infinity;
  let last = -Infinity;
  await connection.stream(customersSql(at.log, at.snapshotDay), kinds, chunkRows, async (chunk, rows) => {
    const frequency = chunk.frequency as Float64Array;
    const recency = chunk.recency as Float64Array;
    const tenure = chunk.tenure as Float64Array;
    const negative = chunk.negativeNet as Float64Array;
    const keep = new Int32Array(rows);
    let kept = 0;
    for (let i = 0; i < rows; i++) {
      negativeNet += negative[i];
      if (!(frequency[i] > 0)) {
        onlyCancelled++;
        continue;
      }
      keep[kept++] = i;
      purchases += frequency[i];
      first = Math.min(first, at.snapshotDay - tenure[i]);
      last = Math.max(last, at.snapshotDay - recency[i]);
    }
    const ids = chunk.customer_id as string[];
    const rowsKept = keep.subarray(0, kept);
    await onChunk(
      kept === rows ? ids : Array.from(rowsKept, (i) => ids[i]),
      Object.fromEntries(at.outputs.map((name) => [name, kept === rows ? (chunk[name] as Float64Array) : gather(chunk[name] as Float64Array, rowsKept)]))
    );
  });
  if (!(purchases > 0)) throw onlyCancellations(connection.label);
  const rule = at.description.entry.cancellations ?? {};
  return {
    transactions: b.transactions,
    missingCustomer: b.missingCustomer,
    missingDate: b.missingDate,
    future: b.future,
    afterSnapshot: b.transactions - b.missingCustomer - b.missingDate - b.future - count("used"),
    used: count("used"),
    purchases,
    missingAmount: count("missingAmount"),
    missingQuantity: count("missingQuantity"),
    negativeAmount: count("negativeAmount"),
    cancellations:
      rule.invoicePrefix !== undefined || rule.negativeQuantity ? { rows: count("cancelRows"), value: Math.round(count("cancelValue") * 100) / 100, onlyCancelled, negativeNet } : null,
    spanDays: last - first + 1
  };
}

/** values[order[i]] for every i, by a plain loop (a callback per element costs 5× as much at millions of rows). */
function gather(values: Float64Array, order: Int32Array): Float64Array {
  const out = new Float64Array(order.length);
  for (let i = 0; i < order.length; i++) out[i] = values[order[i]];
  return out;
}

/**
 * Opens a pushed-down log: its features at the entry's own snapshot, with purchase days when
 * `purchases`, and at each date `snapshots` names given those (explicit dates, without purchase days).
 */
export async function pushDown(
  connection: SqlConnection,
  entry: DatasetEntry,
  relation: string,
  { purchases, snapshots = () => [], today = runDay(), progress = () => {} }: { purchases: boolean; snapshots?: (own: CustomerFeatures) => string[]; today?: number; progress?: (message: string) => void }
): Promise<PushedDownLog> {
  const resolve = await logReader(connection, entry, relation, today);
  let first: LogAtSnapshot | undefined;
  const featuresAt = async (snapshot: string | undefined, withPurchases: boolean): Promise<CustomerFeatures> => {
    progress(`aggregating ${connection.label} per customer${snapshot !== undefined ? ` as of ${snapshot}` : ""}`);
    const at = await resolve(snapshot);
    first ??= at;
    let ids: string[] = [];
    let raw: Record<string, Float64Array> = {};
    const counts = await streamCustomers(connection, at, Infinity, (chunkIds, features) => {
      ids = chunkIds;
      raw = features;
    });
    const order = idOrder(ids);
    const features = Object.fromEntries(at.outputs.map((name) => [name, gather(raw[name], order)]));
    const sortedIds = new Array<string>(order.length);
    for (let i = 0; i < order.length; i++) sortedIds[i] = ids[order[i]];
    return assembleFeatures({
      log: at.description,
      ids: sortedIds,
      features,
      lines: Int32Array.from({ length: sortedIds.length }, (_, i) => i + 1),
      snapshotDay: at.snapshotDay,
      today,
      purchases: withPurchases ? await purchaseDays(connection, at.log, at.snapshotDay, sortedIds, features.frequency) : { customer: new Int32Array(0), day: new Int32Array(0), amount: new Float64Array(0) },
      counts
    });
  };

  const features = new Map<string, CustomerFeatures>();
  const own = await featuresAt(entry.experiment.snapshot, purchases);
  features.set(entry.experiment.snapshot ?? "", own);
  for (const date of snapshots(own)) if (!features.has(date)) features.set(date, await featuresAt(date, false));
  return { entry, file: connection.label, rows: first!.bounds.transactions, columns: first!.description.columns, notes: [], lastDatedDay: first!.bounds.lastDatedDay ?? -Infinity, features };
}

/**
 * Purchase days, by customer (their place in `ids`) then day. Each customer's `frequency` days
 * make its bucket, so every row streamed in goes straight to its place (by insertion among the
 * customer's few days): no array of every row's id, no sort of tens of millions of rows.
 */
async function purchaseDays(connection: SqlConnection, log: LogColumns, snapshotDay: number, ids: string[], frequency: Float64Array): Promise<Purchases> {
  const index = new Map(ids.map((id, i) => [id, i]));
  const start = new Int32Array(ids.length + 1);
  for (let c = 0; c < ids.length; c++) start[c + 1] = start[c] + frequency[c];
  const total = start[ids.length];
  const customer = new Int32Array(total);
  for (let c = 0; c < ids.length; c++) customer.fill(c, start[c], start[c + 1]);
  const day = new Int32Array(total);
  const amount = new Float64Array(total);
  const next = start.slice(0, ids.length);
  const kinds: Array<[string, ValueKind]> = [["customer_id", "text"], ["day", "number"], ["value", "number"]];
  await connection.stream(purchaseDaysSql(log, snapshotDay), kinds, PURCHASE_CHUNK, (chunk, rows) => {
    const who = chunk.customer_id as string[];
    const days = chunk.day as Float64Array;
    const values = chunk.value as Float64Array;
    for (let i = 0; i < rows; i++) {
      const c = index.get(who[i]!);
      if (c === undefined || next[c] === start[c + 1]) throw new Error(`internal: purchase days of customer ${who[i]} disagree with the customers' frequencies`);
      let at = next[c]++;
      for (; at > start[c] && day[at - 1] > days[i]; at--) {
        day[at] = day[at - 1];
        amount[at] = amount[at - 1];
      }
      day[at] = days[i];
      amount[at] = values[i];
    }
  });
  for (let c = 0; c < ids.length; c++) if (next[c] !== start[c + 1]) throw new Error(`internal: customer ${ids[c]} has fewer purchase days than their frequency`);
  return { customer, day, amount };
}

/** Purchase days streamed per chunk: a few MB of texts at a time. */
const PURCHASE_CHUNK = 65_536;

/** Row indices in id order: numerically when every id is a plain whole number, else by code units. */
export function idOrder(ids: Array<string | null>): Int32Array {
  const order = Int32Array.from(ids.keys());
  const numeric = ids.every((id) => id !== null && /^-?(0|[1-9]\d{0,14})$/.test(id));
  if (numeric) {
    const values = Float64Array.from(ids, Number);
    return order.sort((a, b) => values[a] - values[b]);
  }
  return order.sort((a, b) => (ids[a]! < ids[b]! ? -1 : ids[a]! > ids[b]! ? 1 : 0));
}

/** The features of a pushed-down log at a snapshot it was opened with (undefined: the day after the last purchase). */
export function pushedDownFeatures(log: PushedDownLog, snapshot: string | undefined): CustomerFeatures {
  const found = log.features.get(snapshot ?? "");
  if (!found) throw new Error(`internal: the features of ${log.file} at ${snapshot ?? "its last purchase"} were not computed when it was opened`);
  return found;
}
