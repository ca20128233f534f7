/**
 * Segment drift across a dataset's snapshots. Each snapshot is segmented as the report segments
 * the data (the same grid, the recommended run); for each consecutive pair the earlier model
 * (its preparation and segment model) scores the later customers, and the two are compared:
 * migration of the customers present at both, new and gone customers, share change per
 * segment, PSI per feature, centroid shift, agreement with the later snapshot's own segmentation,
 * and a verdict (verdict.ts).
 *
 * Labels are the earlier run's, as `npm run segment --snapshot FROM` prints them (0..k-1, -1
 * noise); `segments` maps each to the number the site shows at that snapshot (1 = the largest).
 */
import { predictSegments } from "../cluster/segmentModel.ts";
import { WorkbenchError } from "../errors.ts";
import { DAY_MS, formatDay, parseSnapshot, type CustomerFeatures } from "../features/rfm.ts";
import { readDataset } from "../io/read.ts";
import type { DatasetTable } from "../io/types.ts";
import type { Cadence, DatasetEntry } from "../manifest/types.ts";
import { logFeatures, preparationNotes, prepareTable, type PreparedDataset } from "../experiment/pipeline.ts";
import { isPushedDown, type SourceData } from "../source/open.ts";
import { runExperiment, type RunRecord } from "../experiment/runner.ts";
import { applyPreparation, dateOrigins } from "../prepare/fitted.ts";
import { orderBySize } from "../profile/order.ts";
import { describeSegments, type Segmentation } from "../report/analyze.ts";
import { featureWords } from "../profile/wording.ts";
import { centroidShift, type CentroidShift } from "./centroidShift.ts";
import { commonRows, maxShareChange, migration, stayedShare, type Migration } from "./migration.ts";
import { psi } from "./psi.ts";
import { driftVerdict, refitAri, type DriftVerdict } from "./verdict.ts";

/** One snapshot: its date and the file it is read from. */
export interface SnapshotRef {
  date: string;
  file: string;
}

/** A snapshot segmented as the report would segment it. */
export interface SnapshotFit {
  date: string;
  data: PreparedDataset;
  run: RunRecord;
  /** rank[label] = displayed segment number − 1; names and sizes by displayed segment. */
  rank: Int32Array;
  names: string[];
  sizes: number[];
  /** A feature in words ("days since last purchase"), as the report writes it. */
  words: (feature: string) => string;
}

export interface DriftPair {
  from: string;
  to: string;
  /** The earlier snapshot's recommended run, whose segments the rows of the migration are. */
  run: string;
  customers: { from: number; to: number };
  common: number;
  entered: number;
  left: number;
  migration: { from: number[]; to: number[]; counts: number[][]; entering: number[]; leaving: number[] };
  /**
   * Per earlier label: the segment number and name at FROM, its share then and (carried) now, and
   * the segment of the later snapshot's own segmentation most of its returning customers are in.
   */
  segments: Array<{ label: number; segment: number; name: string; shareFrom: number; shareTo: number; now: { segment: number; name: string; share: number } | null }>;
  psi: Record<string, number>;
  /** Each feature in words, for pictures and reasons. */
  words: Record<string, string>;
  centroidShift: CentroidShift;
  /** Adjusted Rand index between the carried labels and the later snapshot's own segmentation, on common customers. */
  ari: number | null;
  /** The later snapshot's own recommended run. */
  refit: { run: string; k: number };
  stayed: number | null;
  verdict: DriftVerdict["verdict"];
  reasons: string[];
  notes: string[];
}

/**
 * The snapshots an entry declares, in date order. A cadence is resolved against the log: the
 * first days of each period after the first purchase, up to the report's snapshot (the day
 * after the last purchase unless set), the last `last` of them, ending with the report's own.
 */
export function snapshotRefs(entry: DatasetEntry, source: SourceData | null): SnapshotRef[] {
  const s = entry.snapshots;
  if (!s) return [];
  if (s.kind === "files") return s.files;
  return snapshotDates(entry, () => logFeatures(source!, entry.experiment.snapshot)).map((date) => ({ date, file: entry.file }));
}

/** A log's snapshot dates; a cadence needs the features at the report's snapshot (`own`). */
export function snapshotDates(entry: DatasetEntry, own: () => CustomerFeatures): string[] {
  const s = entry.snapshots;
  if (!s || s.kind === "files") return [];
  if (s.kind === "dates") return s.dates;
  const features = own();
  const first = parseSnapshot(features.snapshot) - features.report.spanDays;
  const end = parseSnapshot(features.snapshot);
  const dates: string[] = [];
  for (let d = nextBoundary(first, s.cadence); d < end; d = nextBoundary(d, s.cadence)) dates.push(formatDay(d));
  dates.push(features.snapshot);
  if (dates.length < 2) {
    throw new WorkbenchError(`"snapshots": "${s.cadence}" gives a single snapshot: the log spans ${features.report.spanDays} days, from its first purchase to ${features.snapshot}`, {
      hint: 'Use a shorter cadence ("monthly"), or list the dates: "snapshots": ["YYYY-MM-DD", "YYYY-MM-DD"]'
    });
  }
  return dates.slice(-s.last);
}

/** The first day of the next month, quarter or year after day `d` (days since 1970-01-01). */
export function nextBoundary(d: number, cadence: Cadence): number {
  const date = new Date(d * DAY_MS);
  const y = date.getUTCFullYear();
  const m = date.getUTCMonth();
  const next = cadence === "monthly" ? Date.UTC(y, m + 1, 1) : cadence === "quarterly" ? Date.UTC(y, Math.floor(m / 3) * 3 + 3, 1) : Date.UTC(y + 1, 0, 1);
  return next / DAY_MS;
}

/** A day `cadence` after `date` (YYYY-MM-DD), same day of the month where it exists. */
export function addCadence(date: string, cadence: Cadence): string {
  const [y, m, d] = date.split("-").map(Number);
  const months = cadence === "monthly" ? 1 : cadence === "quarterly" ? 3 : 12;
  const last = new Date(Date.UTC(y, m - 1 + months + 1, 0)).getUTCDate();
  return new Date(Date.UTC(y, m - 1 + months, Math.min(d, last))).toISOString().slice(0, 10);
}

/**
 * A log's snapshots must not be after the day after its last purchase (the whole log's, not a
 * snapshot's). Callers check every date before segmenting any, so nothing is computed in vain.
 */
export function checkWithinLog(source: SourceData, dates: string[]): void {
  let last = -Infinity;
  if (isPushedDown(source)) last = source.lastDatedDay;
  else {
    const dateColumn = source.columns.find((c) => c.role === "date")!.name;
    for (const ms of source.table.array(dateColumn) as Float64Array) if (ms > last) last = ms;
    last = Math.floor(last / DAY_MS);
  }
  const end = formatDay(last + 1);
  const date = dates.find((d) => d > end);
  if (date !== undefined) {
    throw new WorkbenchError(`snapshot ${date} is after the log ends: its last purchase is on ${formatDay(last)}`, {
      hint: `Use a snapshot on or before ${end}: later ones would only make every customer look more lapsed`
    });
  }
}

/**
 * Reads, prepares and segments one snapshot (transaction logs: `source` is the log, read once;
 * its dates checked with checkWithinLog first).
 */
export function fitSnapshot(entry: DatasetEntry, ref: SnapshotRef, source: SourceData | null, progress: (m: string) => void = () => {}): SnapshotFit {
  progress(`${entry.name}: segmenting the snapshot of ${ref.date}`);
  const at: DatasetEntry = entry.kind === "transactions" ? { ...entry, experiment: { ...entry.experiment, snapshot: ref.date } } : { ...entry, file: ref.file };
  let data: PreparedDataset;
  try {
    data = prepareTable(entry.kind === "transactions" ? { ...source!, entry: at } : readDataset(at));
  } catch (error) {
    // The reader and the features speak of the manifest's file and --snapshot; here it is a snapshot.
    if (!(error instanceof WorkbenchError)) throw error;
    if (error.message.includes("no transactions before the snapshot")) {
      const first = /first transaction \((\d{4}-\d{2}-\d{2})\)/.exec(error.message)?.[1];
      throw new WorkbenchError(`snapshot ${ref.date} is before the log's first purchase${first ? `, on ${first}` : ""}: there is nothing to segment`, { hint: "Choose a later snapshot date" });
    }
    throw new WorkbenchError(error.message.replace(/fix "file" of dataset "([^"]*)" in data\/manifest\.json/, 'fix the "file" of the snapshot of $1 dated ' + ref.date + ' under "snapshots" in data/manifest.json'));
  }
  const { prepared } = data;
  checkSnapshotIds(data.source);
  const result = runExperiment({ matrix: prepared.matrix, label: prepared.label, options: entry.experiment, progress: (m) => progress(`${ref.date} ${m}`) });
  if (!result.recommendation) {
    throw new WorkbenchError(`dataset "${entry.name}", snapshot ${ref.date}: no run of the grid could be scored`, { hint: "Check the snapshot's data, or widen experiment.grid" });
  }
  const run = result.runs.find((r) => r.id === result.recommendation!.runId)!;
  const order = orderBySize(run.labels, run.k);
  // Names from the features alone: value models are fitted for the report's snapshot only.
  const described = describeSegments(data, run, { clv: null, pAlive: null, churnProbability: null, churnRates: null }, order);
  return { date: ref.date, data, run, rank: order.rank, names: described.names, sizes: order.sizes, words: wordsOf(described) };
}

/** A customer table with snapshots needs ids: its customers are matched by id between files. Checked as soon as the table is read. */
export function checkSnapshotIds(table: Pick<DatasetTable, "entry" | "columns">): void {
  const { entry } = table;
  if (entry.kind === "customers" && entry.snapshots && !table.columns.some((c) => c.role === "id")) {
    throw new WorkbenchError(`dataset "${entry.name}" has no id column, so its snapshots cannot be matched customer by customer`, {
      hint: 'Give the customer id column the role "id" in data/manifest.json (row numbers differ between files)'
    });
  }
}

/** Feature names in the words of a segmentation's display names, one-hot categories and flags. */
export function wordsOf(s: Pick<Segmentation, "oneHot" | "display" | "binary">): (feature: string) => string {
  return (feature) => featureWords(feature, s.oneHot, s.display, s.binary).words;
}

/**
 * The latest snapshot's segments at every snapshot: its model scores each snapshot's customers,
 * so the chart shows how today's segments grew or shrank. Shares by displayed segment (noise aside).
 */
export function sharesOverTime(fits: SnapshotFit[]): Array<{ date: string; segment: number; share: number }> {
  const last = fits[fits.length - 1];
  return fits.flatMap((fit) => {
    const labels = fit === last ? last.run.labels : predictSegments(last.run.segmentModel, applyPreparation(last.data.prepared.fitted, customerTable(fit), { asOf: dateOrigins(fit.data.prepared.fitted) }).matrix).labels;
    const counts = new Array<number>(last.run.k).fill(0);
    for (const l of labels) if (l >= 0) counts[last.rank[l]]++;
    return counts.map((c, segment) => ({ date: fit.date, segment, share: round(c / labels.length) }));
  });
}

/** The per-customer table a snapshot was segmented from (a log's derived customers, or the file). */
function customerTable(fit: SnapshotFit): DatasetTable {
  return fit.data.transactions ? fit.data.transactions.dataset : (fit.data.source as DatasetTable);
}

/** Compares two snapshots: the earlier model carried onto the later customers. */
export function comparePair(earlier: SnapshotFit, later: SnapshotFit): DriftPair {
  const k = earlier.run.k;
  const applied = applyPreparation(earlier.data.prepared.fitted, customerTable(later), { asOf: dateOrigins(later.data.prepared.fitted) });
  const carried = predictSegments(earlier.run.segmentModel, applied.matrix).labels;
  const m: Migration = migration({ ids: earlier.data.prepared.ids, labels: earlier.run.labels, k }, { ids: applied.ids, labels: carried, k });

  const before = earlier.data.prepared.unscaled;
  const column = (matrix: typeof before, j: number) => Float64Array.from({ length: matrix.n }, (_, i) => matrix.data[i * matrix.d + j]);
  const psiByFeature: Record<string, number> = {};
  before.names.forEach((name, j) => (psiByFeature[name] = round(psi(column(before, j), column(applied.unscaled, j)).psi)));
  const shift = centroidShift(before, earlier.run.labels, applied.unscaled, carried, k);

  // Agreement with the later snapshot's own segmentation, on customers present at both snapshots
  // (and kept by the later preparation).
  const refitRow = new Map(later.data.prepared.ids.map((id, i) => [id, i]));
  const common = commonRows(earlier.data.prepared.ids, applied.ids).filter((j) => refitRow.has(applied.ids[j]));
  const carriedCommon = Array.from(common, (j) => carried[j]);
  const refitCommon = Array.from(common, (j) => later.run.labels[refitRow.get(applied.ids[j])!]);
  const ari = common.length >= 2 ? round(refitAri(carriedCommon, refitCommon)) : null;
  // Which of the later snapshot's own segments each earlier segment mostly became.
  const overlap = Array.from({ length: k }, () => new Array<number>(later.run.k).fill(0));
  carriedCommon.forEach((c, i) => c >= 0 && refitCommon[i] >= 0 && overlap[c][refitCommon[i]]++);
  const now = (label: number) => {
    const row = overlap[label];
    const total = row.reduce((a, b) => a + b, 0);
    if (!total) return null;
    const best = row.indexOf(Math.max(...row));
    return { segment: later.rank[best] + 1, name: later.names[later.rank[best]], share: round(row[best] / total) };
  };

  const stayed = stayedShare(m);
  // The reasons name features as the report does.
  const words = Object.fromEntries(before.names.map((f) => [f, earlier.words(f)]));
  const psiInWords = Object.fromEntries(Object.entries(psiByFeature).map(([f, v]) => [words[f], v]));
  const at = shift.maxAt && { segment: earlier.names[earlier.rank[shift.maxAt.segment]], feature: words[shift.maxAt.feature] };
  const verdict = driftVerdict({ psi: psiInWords, maxShareChange: maxShareChange(m).points, stayed, maxCentroidShift: shift.max, maxCentroidAt: at, ari });
  const shareOf = (groups: number[], shares: number[], label: number) => (groups.indexOf(label) >= 0 ? round(shares[groups.indexOf(label)]) : 0);
  return {
    from: earlier.date,
    to: later.date,
    run: earlier.run.id,
    customers: { from: earlier.data.prepared.ids.length, to: applied.ids.length },
    common: m.common,
    entered: m.entered,
    left: m.left,
    migration: { from: m.from, to: m.to, counts: m.counts, entering: m.entering, leaving: m.leaving },
    segments: Array.from({ length: k }, (_, label) => ({
      label,
      segment: earlier.rank[label] + 1,
      name: earlier.names[earlier.rank[label]],
      shareFrom: shareOf(m.from, m.shares.from, label),
      shareTo: shareOf(m.to, m.shares.to, label),
      now: now(label)
    })),
    psi: psiByFeature,
    words,
    centroidShift: shift,
    ari,
    refit: { run: later.run.id, k: later.run.k },
    stayed: stayed === null ? null : round(stayed),
    verdict: verdict.verdict,
    reasons: verdict.reasons,
    notes: [
      ...preparationNotes(earlier.data).map((n) => `${earlier.date}: ${n}`),
      ...preparationNotes(later.data).map((n) => `${later.date}: ${n}`),
      ...applied.notes.map((n) => `${later.date}, scored with the ${earlier.date} model: ${n}`)
    ]
  };
}

/** Six significant digits: stable JSON. */
function round(x: number): number {
  return Number(x.toPrecision(6));
}
