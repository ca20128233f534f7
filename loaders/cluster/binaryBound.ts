/**
 * A cheap lower bound on squared Euclidean distances for tables with many two-valued columns
 * (one-hot categories, which make a table wide): those columns are coded as bits, so their part
 * of a squared distance is at least (differing bits) × the smallest (high − low)², counted with a
 * few word operations instead of one subtraction per column. The scans use it only to skip pairs
 * that are clearly farther than a radius, then measure the rest exactly, so no answer changes.
 */
import type { FeatureMatrix } from "../matrix.ts";

/** Below this many two-valued columns the bound costs more than it skips. */
const MIN_BINARY_COLUMNS = 8;

/**
 * Relative margin of a skip: the bound sums the same terms as the exact sum in another grouping,
 * so the two differ by far less than this (about d × 1e-16 relatively).
 */
const MARGIN = 1e-9;

export interface BinaryBound {
  /** The other columns' values, row by row (numeric.length per row). */
  numeric: Float64Array;
  width: number;
  /** Two-valued columns as bits, `words` 32-bit words per row (set: the higher value). */
  bits: Int32Array;
  words: number;
  /** The smallest (high − low)² of the two-valued columns. */
  step: number;
}

/** The matrix coded for lowerBound, or null when it has too few two-valued columns. */
export function binaryBound(matrix: FeatureMatrix): BinaryBound | null {
  const { n, d, data } = matrix;
  const binary: number[] = [];
  const high: number[] = [];
  const numericColumns: number[] = [];
  let step = Infinity;
  for (let j = 0; j < d; j++) {
    let lo = data[j];
    let hi = lo;
    let two = true;
    for (let i = 1; i < n && two; i++) {
      const v = data[i * d + j];
      if (v === lo || v === hi) continue;
      if (lo === hi) (v < lo ? (lo = v) : (hi = v));
      else two = false;
    }
    if (two && lo !== hi) {
      binary.push(j);
      high.push(hi);
      step = Math.min(step, (hi - lo) * (hi - lo));
    } else {
      numericColumns.push(j);
    }
  }
  if (binary.length < MIN_BINARY_COLUMNS) return null;
  const words = Math.ceil(binary.length / 32);
  const bits = new Int32Array(n * words);
  const width = numericColumns.length;
  const numeric = new Float64Array(n * width);
  for (let i = 0; i < n; i++) {
    binary.forEach((j, b) => {
      if (data[i * d + j] === high[b]) bits[i * words + (b >> 5)] |= 1 << (b & 31);
    });
    numericColumns.forEach((j, t) => (numeric[i * width + t] = data[i * d + j]));
  }
  return { numeric, width, bits, words, step };
}

/** True when rows a and b are surely farther apart than squared distance `limit`. */
export function beyond(c: BinaryBound, a: number, b: number, limit: number): boolean {
  const { numeric, width, bits, words } = c;
  let differing = 0;
  for (let w = 0; w < words; w++) differing += popcount(bits[a * words + w] ^ bits[b * words + w]);
  let s = differing * c.step;
  const bound = limit * (1 + MARGIN);
  if (s > bound) return true;
  for (let t = 0, x = a * width, y = b * width; t < width; t++) {
    const diff = numeric[x + t] - numeric[y + t];
    s += diff * diff;
  }
  return s > bound;
}

function popcount(v: number): number {
  v -= (v >>> 1) & 0x55555555;
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}
