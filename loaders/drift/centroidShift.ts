/**
 * How far each segment's average customer moved between two snapshots, per feature, in units of
 * the earlier snapshot's overall standard deviation of that feature (population SD, all rows,
 * noise included): a unit that is comparable across features and fixed by the reference
 * snapshot, so a later snapshot that spreads out does not shrink its own shifts. Because the
 * overall SD includes the spread between segments, one unit is larger than a within-segment SD.
 *
 * Columns are matched by name, rows need not correspond (different customers may be present),
 * and noise rows (−1) belong to no segment. A feature that is constant at the earlier snapshot
 * has SD 0: its shift is 0 when the means agree, otherwise it cannot be expressed in SD units,
 * so it is null and listed in `flagged`.
 */
import { WorkbenchError } from "../errors.ts";
import { checkLabelsLength } from "../evaluate/centroids.ts";
import { NOISE } from "../evaluate/labels.ts";
import type { FeatureMatrix } from "../matrix.ts";

export interface SegmentShift {
  segment: number;
  /** Rows in the segment at each snapshot. */
  size: { earlier: number; later: number };
  /** (later mean − earlier mean) / earlier SD per feature (in `features` order); null when the segment is empty at either snapshot. */
  shift: (number | null)[] | null;
  /** Root mean square of the feature shifts that could be expressed in SD; null when none. */
  rms: number | null;
}

export interface CentroidShift {
  /** Feature names in the earlier matrix's order. */
  features: string[];
  /** Earlier overall population SD per feature. */
  sd: number[];
  segments: SegmentShift[];
  /** The largest |shift| over all segments and features, and where; null when nothing compares. */
  max: number | null;
  maxAt: { segment: number; feature: string } | null;
  /** Features constant at the earlier snapshot whose segment mean changed anyway. */
  flagged: { segment: number; feature: string; earlierMean: number; laterMean: number }[];
}

export function centroidShift(
  earlier: FeatureMatrix,
  earlierLabels: ArrayLike<number>,
  later: FeatureMatrix,
  laterLabels: ArrayLike<number>,
  k: number
): CentroidShift {
  if (!Number.isInteger(k) || k < 1) {
    throw new WorkbenchError("invalid number of segments for the centroid shift", { found: String(k), expected: "an integer ≥ 1" });
  }
  checkLabelsLength(earlier, earlierLabels);
  checkLabelsLength(later, laterLabels);
  const columns = matchColumns(earlier.names, later.names);
  const d = earlier.d;
  const sd = overallSd(earlier);
  const a = segmentMeans(earlier, earlierLabels, k, null, "earlier");
  const b = segmentMeans(later, laterLabels, k, columns, "later");
  const segments: SegmentShift[] = [];
  const flagged: CentroidShift["flagged"] = [];
  let max: number | null = null;
  let maxAt: CentroidShift["maxAt"] = null;
  for (let c = 0; c < k; c++) {
    const size = { earlier: a.sizes[c], later: b.sizes[c] };
    if (size.earlier === 0 || size.later === 0) {
      segments.push({ segment: c, size, shift: null, rms: null });
      continue;
    }
    const shift: (number | null)[] = [];
    let squares = 0;
    let counted = 0;
    for (let t = 0; t < d; t++) {
      const before = a.means[c * d + t];
      const after = b.means[c * d + t];
      let s: number | null;
      if (sd[t] > 0) s = (after - before) / sd[t];
      else if (after === before) s = 0;
      else {
        s = null;
        flagged.push({ segment: c, feature: earlier.names[t], earlierMean: before, laterMean: after });
      }
      shift.push(s);
      if (s === null) continue;
      squares += s * s;
      counted++;
      if (max === null || Math.abs(s) > max) {
        max = Math.abs(s);
        maxAt = { segment: c, feature: earlier.names[t] };
      }
    }
    segments.push({ segment: c, size, shift, rms: counted ? Math.sqrt(squares / counted) : null });
  }
  return { features: [...earlier.names], sd: Array.from(sd), segments, max, maxAt, flagged };
}

/** columns[t] = the later column holding earlier feature t; both sides must have the same names. */
function matchColumns(earlier: string[], later: string[]): Int32Array {
  const index = new Map<string, number>();
  later.forEach((name, j) => {
    if (index.has(name)) throw new WorkbenchError(`feature "${name}" appears twice in the later snapshot`, { expected: "distinct feature names" });
    index.set(name, j);
  });
  const seen = new Set<string>();
  const columns = new Int32Array(earlier.length);
  earlier.forEach((name, t) => {
    if (seen.has(name)) throw new WorkbenchError(`feature "${name}" appears twice in the earlier snapshot`, { expected: "distinct feature names" });
    seen.add(name);
    const j = index.get(name);
    if (j === undefined) {
      throw new WorkbenchError(`feature "${name}" of the earlier snapshot is missing from the later one`, {
        expected: "the same features at both snapshots",
        hint: "prepare both snapshots with the same columns"
      });
    }
    columns[t] = j;
  });
  const extra = later.filter((name) => !seen.has(name));
  if (extra.length) {
    throw new WorkbenchError(`feature "${extra[0]}" of the later snapshot is missing from the earlier one`, {
      expected: "the same features at both snapshots",
      hint: "prepare both snapshots with the same columns"
    });
  }
  return columns;
}

/**
 * Population SD per feature. Deviations are taken from the first row first, so a constant
 * column gets exactly 0 (not rounding noise that would blow up a shift divided by it).
 */
function overallSd(m: FeatureMatrix): Float64Array {
  const { n, d, data } = m;
  const sd = new Float64Array(d);
  if (n === 0) return sd;
  for (let t = 0; t < d; t++) {
    const x0 = data[t];
    let s = 0;
    for (let i = 0; i < n; i++) s += data[i * d + t] - x0;
    const mean = x0 + s / n;
    let ss = 0;
    for (let i = 0; i < n; i++) {
      const diff = data[i * d + t] - mean;
      ss += diff * diff;
    }
    sd[t] = Math.sqrt(ss / n);
  }
  return sd;
}

/**
 * Segment means (k × d, earlier feature order) and sizes, noise left out. As in
 * evaluate/centroids.ts, sums run relative to each segment's first row so a segment constant in
 * a feature gets exactly that value as its mean.
 */
function segmentMeans(
  m: FeatureMatrix,
  labels: ArrayLike<number>,
  k: number,
  columns: Int32Array | null,
  what: string
): { means: Float64Array; sizes: number[] } {
  const { n, d, data } = m;
  const col = (t: number) => (columns ? columns[t] : t);
  const anchor = new Int32Array(k).fill(-1);
  const sums = new Float64Array(k * d);
  const sizes = new Array<number>(k).fill(0);
  for (let i = 0; i < n; i++) {
    const c = labels[i];
    if (c === NOISE) continue;
    if (!(Number.isInteger(c) && c >= 0 && c < k)) {
      throw new WorkbenchError(`the ${what} snapshot has an invalid segment label at row ${i}`, {
        found: String(c),
        expected: `a segment 0..${k - 1}, or -1 for noise`
      });
    }
    if (anchor[c] < 0) anchor[c] = i;
    sizes[c]++;
    const a = anchor[c] * d;
    for (let t = 0; t < d; t++) sums[c * d + t] += data[i * d + col(t)] - data[a + col(t)];
  }
  const means = new Float64Array(k * d);
  for (let c = 0; c < k; c++) {
    if (sizes[c] === 0) continue;
    const a = anchor[c] * d;
    for (let t = 0; t < d; t++) means[c * d + t] = data[a + col(t)] + sums[c * d + t] / sizes[c];
  }
  return { means, sizes };
}
