/**
 * When the data is from and when the segments are next due for review (the Overview's line; the
 * export's snapshot_date for a customer table).
 */
import { addCadence } from "../drift/snapshots.ts";
import { DAY_MS, formatDay, parseSnapshot } from "../features/rfm.ts";
import type { Cadence } from "../manifest/types.ts";
import { dateOrigins } from "../prepare/fitted.ts";
import type { Analysis } from "./analyze.ts";
import { buildDate } from "./experiments.ts";

export interface Review {
  /** The last day the data describes; null when nothing in it is dated. */
  asOf: string | null;
  refresh: Cadence;
  /** One refresh after asOf (without a date, after the build date). */
  nextReview: string;
  /** The next review is before the build date. */
  overdue: boolean;
}

/**
 * The data's date: a log's last observed day (the day before its snapshot), a table's latest
 * snapshot date, else the latest date in its date columns; null for a table with no dates.
 */
export function dataAsOf(a: Analysis): string | null {
  if (a.data.transactions) return formatDay(parseSnapshot(a.data.transactions.snapshot) - 1);
  const snapshots = a.entry.snapshots;
  if (snapshots?.kind === "files") return snapshots.files[snapshots.files.length - 1].date;
  const origins = Object.values(dateOrigins(a.data.prepared.fitted));
  return origins.length ? formatDay(Math.max(...origins) / DAY_MS) : null;
}

export function review(a: Analysis): Review {
  const refresh = a.entry.refresh;
  const asOf = dataAsOf(a);
  const built = buildDate();
  const nextReview = addCadence(asOf ?? built, refresh);
  return { asOf, refresh, nextReview, overdue: nextReview < built };
}
