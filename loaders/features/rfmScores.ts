/**
 * RFM quintile scores and named segments.
 *
 * Scores (1–5): rank-based quintiles, exactly pandas' `pd.qcut(x.rank(method="first"), 5,
 * labels=[1, 2, 3, 4, 5])`:
 *   - rank 1..n in ascending order of the value, ties broken by row order (first row = lower rank);
 *   - bin edges e_k = 1 + (n − 1)·k/5 (numpy linear percentiles of 1..n); rank r gets the smallest
 *     k ≥ 1 with r ≤ e_k (right-closed bins, the lowest edge included).
 *   So the five groups are as equal in size as possible, and equal values may fall in adjacent
 *   scores when a tie straddles an edge (unavoidable with equal-size groups: CDNOW's
 *   frequency is 1 for most customers). A single customer scores 1.
 * R ranks on −recency (more recent = higher score); F and M rank on the value itself.
 *
 * Segments: from R and FM = round((F + M) / 2), halves rounded up (so FM is 1–5), via the grid
 * below. The grid is the R × F segment map widely circulated in Python RFM tutorials and Kaggle
 * notebooks (regexes such as '[1-2][1-2]' → Hibernating, '5[4-5]' → Champions), with the combined
 * FM score in place of F (R × "F & M" is how Putler's RFM segmentation and vendor guides such as
 * Churned's RFM model page state their ranges), and its "Hibernating" corner split to add the
 * 11th name "Lost" for R = 1, FM ≤ 2 (those tables list Lost as R ≤ 2, FM ≤ 2, overlapping
 * Hibernating; the split makes the grid a partition).
 *
 *            FM=1            FM=2                 FM=3                 FM=4              FM=5
 *   R=5      New Customers   Potential Loyalists  Potential Loyalists  Champions         Champions
 *   R=4      Promising       Potential Loyalists  Potential Loyalists  Loyal Customers   Loyal Customers
 *   R=3      About To Sleep  About To Sleep       Need Attention       Loyal Customers   Loyal Customers
 *   R=2      Hibernating     Hibernating          At Risk              At Risk           Can't Lose Them
 *   R=1      Lost            Lost                 At Risk              At Risk           Can't Lose Them
 *
 * Every (R, FM) pair has exactly one name; all 11 names occur. One override keeps names from
 * contradicting the numbers: a top-quintile spender (M = 5) with R ≤ 2 is "Can't Lose Them",
 * never plainly "At Risk" (FM alone would say At Risk for a single large purchase, F = 1).
 *
 * Without recency (a log spanning too short a time, see rfm.ts MIN_SPAN_DAYS) customers are
 * named by FM alone: FM_NAMES, from "Top Customers" (FM = 5) to "Lowest Value" (FM = 1).
 */
import type { Table } from "arquero";
import { WorkbenchError } from "../errors.ts";

export const SEGMENT_NAMES = [
  "Champions",
  "Loyal Customers",
  "Potential Loyalists",
  "New Customers",
  "Promising",
  "Need Attention",
  "About To Sleep",
  "At Risk",
  "Can't Lose Them",
  "Hibernating",
  "Lost"
] as const;
/** Names by FM alone, FM_NAMES[fm − 1], for logs whose recency means nothing. */
export const FM_NAMES = ["Lowest Value", "Low Value", "Mid Value", "High Value", "Top Customers"] as const;
export type SegmentName = (typeof SEGMENT_NAMES)[number] | (typeof FM_NAMES)[number];
/** Every name a customer can get, in display order. */
export const ALL_SEGMENT_NAMES: readonly SegmentName[] = [...SEGMENT_NAMES, ...[...FM_NAMES].reverse()];

/** SEGMENT_GRID[r − 1][fm − 1]. */
export const SEGMENT_GRID: ReadonlyArray<ReadonlyArray<(typeof SEGMENT_NAMES)[number]>> = [
  ["Lost", "Lost", "At Risk", "At Risk", "Can't Lose Them"],
  ["Hibernating", "Hibernating", "At Risk", "At Risk", "Can't Lose Them"],
  ["About To Sleep", "About To Sleep", "Need Attention", "Loyal Customers", "Loyal Customers"],
  ["Promising", "Potential Loyalists", "Potential Loyalists", "Loyal Customers", "Loyal Customers"],
  ["New Customers", "Potential Loyalists", "Potential Loyalists", "Champions", "Champions"]
];

/** Combined frequency–monetary score: the mean of F and M, halves rounded up. */
export function fmScore(f: number, m: number): number {
  return Math.round((f + m) / 2);
}

/** The grid's name for R and FM; with M, the top-spender override (see the module comment). */
export function segmentOf(r: number, fm: number, m?: number): SegmentName {
  if (m === 5 && r <= 2) return "Can't Lose Them";
  return SEGMENT_GRID[r - 1][fm - 1];
}

/** Quintile score 1–5 of each value (see the module comment for the exact rule). */
export function quintileScores(values: ArrayLike<number>): Int8Array {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i);
  // Stable sort: equal values keep row order, i.e. rank(method="first").
  order.sort((a, b) => values[a] - values[b]);
  const out = new Int8Array(n);
  for (let pos = 0; pos < n; pos++) {
    const rank = pos + 1;
    let k = 1;
    while (k < 5 && rank > 1 + ((n - 1) * k) / 5) k++;
    out[order[pos]] = k;
  }
  return out;
}

export interface RfmColumns {
  recency: ArrayLike<number>;
  frequency: ArrayLike<number>;
  monetary: ArrayLike<number>;
}

export interface RfmTable {
  r: Int8Array;
  f: Int8Array;
  m: Int8Array;
  segment: SegmentName[];
  /** Customers per segment name, every name of the scheme present (0 when empty), in display order. */
  counts: Partial<Record<SegmentName, number>>;
  /** Whether recency was used (false: names by FM alone). */
  recency: boolean;
}

/**
 * Scores and segments for customer features (the customerFeatures table, or the three columns).
 * `recency: false` names customers by FM alone (R is still scored, for profiles).
 */
export function rfmTable(features: Table | RfmColumns, { recency = true }: { recency?: boolean } = {}): RfmTable {
  const cols = isTable(features) ? columnsOf(features) : features;
  const n = cols.recency.length;
  for (const [name, values] of Object.entries(cols) as Array<[string, ArrayLike<number>]>) {
    if (values.length !== n) throw new Error(`rfmTable: column ${name} has ${values.length} values, expected ${n}`);
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(values[i])) {
        throw new WorkbenchError(`RFM scores need a value for every customer`, {
          column: name,
          found: String(values[i]),
          expected: "a finite number"
        });
      }
    }
  }
  const negRecency = Float64Array.from(cols.recency, (v) => -v);
  const r = quintileScores(negRecency);
  const f = quintileScores(cols.frequency);
  const m = quintileScores(cols.monetary);
  const names: readonly SegmentName[] = recency ? SEGMENT_NAMES : [...FM_NAMES].reverse();
  const counts: Partial<Record<SegmentName, number>> = Object.fromEntries(names.map((s) => [s, 0]));
  const segment = new Array<SegmentName>(n);
  for (let i = 0; i < n; i++) {
    const fm = fmScore(f[i], m[i]);
    const s = recency ? segmentOf(r[i], fm, m[i]) : FM_NAMES[fm - 1];
    segment[i] = s;
    counts[s] = counts[s]! + 1;
  }
  return { r, f, m, segment, counts, recency };
}

function isTable(x: Table | RfmColumns): x is Table {
  return typeof (x as Table).columnNames === "function";
}

function columnsOf(t: Table): RfmColumns {
  const get = (name: string) => {
    if (!t.columnNames().includes(name)) {
      throw new WorkbenchError("RFM scores need recency, frequency and monetary columns", {
        column: name,
        expected: "the table made by customerFeatures()"
      });
    }
    return t.array(name, Float64Array) as Float64Array;
  };
  return { recency: get("recency"), frequency: get("frequency"), monetary: get("monetary") };
}
