/**
 * Label bookkeeping shared by the evaluation metrics: arbitrary label values (segment ids,
 * category strings) become dense codes 0..m-1, and DBSCAN noise (-1) is split off.
 */
import { WorkbenchError } from "../errors.ts";

/** The label DBSCAN gives rows that belong to no segment. */
export const NOISE = -1;

export type LabelValue = string | number;

export interface EncodedLabels<T extends LabelValue> {
  /** codes[i] is row i's label as an index into `names`. */
  codes: Int32Array;
  /** Distinct label values; names[c] is the value behind code c. */
  names: T[];
  /** counts[c] is how many rows carry code c. */
  counts: number[];
}

/**
 * Re-encodes labels to 0..m-1 in order of first appearance (or ascending value with
 * `sorted`: numbers before strings). Values compare as JavaScript Map keys, so "1" and 1 are
 * different labels. -1 is an ordinary value here (external metrics treat noise as one group).
 * `what` names the array in error messages.
 */
export function encodeLabels<T extends LabelValue>(
  values: ArrayLike<T>,
  opts: { sorted?: boolean; what?: string } = {}
): EncodedLabels<T> {
  const what = opts.what ?? "labels";
  const n = values.length;
  const index = new Map<T, number>();
  const names: T[] = [];
  const codes = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    let c = index.get(v);
    if (c === undefined) {
      checkLabelValue(v, i, what);
      c = names.length;
      index.set(v, c);
      names.push(v);
    }
    codes[i] = c;
  }
  let finalNames = names;
  if (opts.sorted) {
    // Recode so that code order is value order.
    const order = names.map((_, c) => c).sort((a, b) => compareLabels(names[a], names[b]));
    const remap = new Int32Array(names.length);
    order.forEach((oldCode, newCode) => (remap[oldCode] = newCode));
    for (let i = 0; i < n; i++) codes[i] = remap[codes[i]];
    finalNames = order.map((c) => names[c]);
  }
  const counts = new Array<number>(finalNames.length).fill(0);
  for (let i = 0; i < n; i++) counts[codes[i]]++;
  return { codes, names: finalNames, counts };
}

/** Numbers (ascending) before strings (code-unit order, locale-independent so output is stable). */
export function compareLabels(a: LabelValue, b: LabelValue): number {
  const an = typeof a === "number";
  const bn = typeof b === "number";
  if (an !== bn) return an ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function checkLabelValue(v: unknown, i: number, what: string): void {
  const ok = typeof v === "string" || (typeof v === "number" && Number.isFinite(v));
  if (!ok) {
    throw new WorkbenchError(`${what} has a missing or non-finite value at row ${i}`, {
      found: String(v),
      expected: "a string or finite number for every row",
      hint: "drop the rows without a label, or give them an explicit label such as \"unknown\""
    });
  }
}

/** Segment labels with noise rows removed, as used by every internal metric. */
export interface SegmentRows {
  /** Indices (ascending) of the rows that are not noise. */
  rows: Int32Array;
  /** codes[r] is the segment code of rows[r], 0..k-1 in ascending label order. */
  codes: Int32Array;
  /** labels[c] is the original segment label of code c. */
  labels: number[];
  /** sizes[c] is the number of rows in segment code c. */
  sizes: number[];
  /** Number of noise rows (label -1) left out. */
  noise: number;
  /** Number of segments (noise excluded). */
  k: number;
}

/** Splits off noise rows and encodes the remaining segment labels densely (ascending label order). */
export function excludeNoise(labels: ArrayLike<number>): SegmentRows {
  const n = labels.length;
  let noise = 0;
  for (let i = 0; i < n; i++) if (labels[i] === NOISE) noise++;
  const rows = new Int32Array(n - noise);
  let r = 0;
  for (let i = 0; i < n; i++) if (labels[i] !== NOISE) rows[r++] = i;
  const kept = new Int32Array(rows.length);
  for (let j = 0; j < rows.length; j++) kept[j] = labels[rows[j]];
  const enc = encodeLabels(kept, { sorted: true, what: "labels" });
  return { rows, codes: enc.codes, labels: enc.names, sizes: enc.counts, noise, k: enc.names.length };
}

/**
 * Why an internal metric is undefined, or null when it is defined. scikit-learn raises unless
 * 2 ≤ number of labels ≤ n_samples - 1 (check_number_of_labels); we report the reason instead.
 */
export function labelCountProblem(metric: string, k: number, n: number): string | null {
  if (k > 1 && k < n) return null;
  return (
    `${metric} is defined only for 2 to n-1 segments (as in scikit-learn); ` +
    `found ${k} segment${k === 1 ? "" : "s"} among ${n} row${n === 1 ? "" : "s"} (noise excluded)`
  );
}
