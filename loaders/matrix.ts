/**
 * The numeric boundary between tabular work (arquero) and the kernels: a dense row-major
 * matrix of customers × features.
 */
export interface FeatureMatrix {
  /** Feature names, length d. */
  names: string[];
  /** Number of rows (customers). */
  n: number;
  /** Number of features. */
  d: number;
  /** Row-major values: row i, feature j at data[i * d + j]. No NaN. */
  data: Float64Array;
}

export function makeMatrix(names: string[], n: number, data: Float64Array): FeatureMatrix {
  const d = names.length;
  if (data.length !== n * d) throw new Error(`matrix data has ${data.length} values, expected ${n}×${d}`);
  return { names, n, d, data };
}

/** Rows `indices` of `m`, as a new matrix. */
export function selectRows(m: FeatureMatrix, indices: ArrayLike<number>): FeatureMatrix {
  const { d } = m;
  const out = new Float64Array(indices.length * d);
  for (let r = 0; r < indices.length; r++) {
    const src = indices[r] * d;
    out.set(m.data.subarray(src, src + d), r * d);
  }
  return { names: m.names, n: indices.length, d, data: out };
}

/** Squared Euclidean distance between row i of a and row j of b (both with d columns). */
export function sqDist(a: Float64Array, i: number, b: Float64Array, j: number, d: number): number {
  let s = 0;
  const ai = i * d;
  const bj = j * d;
  for (let t = 0; t < d; t++) {
    const diff = a[ai + t] - b[bj + t];
    s += diff * diff;
  }
  return s;
}
