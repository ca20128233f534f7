import { adjustedRandIndex } from "../../loaders/evaluate/ari.ts";
import { contingencyTable } from "../../loaders/evaluate/contingency.ts";
import type { FeatureMatrix } from "../../loaders/matrix.ts";

/** A matrix from literal rows, features named x0, x1, … (d given for an empty matrix). */
export function matrixOf(rows: number[][], d = rows[0]?.length ?? 2): FeatureMatrix {
  return { names: Array.from({ length: d }, (_, j) => `x${j}`), n: rows.length, d, data: Float64Array.from(rows.flat()) };
}

/** Adjusted Rand index between two labelings (the metric itself is tested against scikit-learn). */
export function ari(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return adjustedRandIndex(contingencyTable(a, b));
}
