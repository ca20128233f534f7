/**
 * Getting an outcome and extra predictors out of a prepared dataset: the outcome is a 0/1
 * column kept in original units among the profile columns (e.g. the marketing table's
 * Response), and earlier outcomes (AcceptedCmp1..5) can be appended to the features.
 */
import { WorkbenchError } from "../errors.ts";
import type { FeatureMatrix } from "../matrix.ts";

/** A 0/1 column as the outcome; anything else (missing values included) is an error naming the column. */
export function outcomeColumn(values: ArrayLike<number>, name: string): Uint8Array {
  const y = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== 0 && v !== 1) {
      throw new WorkbenchError(`outcome column has a value other than 0 or 1 in prepared row ${i + 1}`, {
        column: name,
        found: Number.isNaN(v) ? "a missing value" : String(v),
        expected: "1 where the outcome happened and 0 where it did not",
        hint: "Recode the column to 0/1 and fill or drop the rows where it is missing"
      });
    }
    y[i] = v;
  }
  return y;
}

/** `matrix` with the given columns appended on the right (as given: no scaling; they must not be missing). */
export function withColumns(matrix: FeatureMatrix, columns: { name: string; values: ArrayLike<number> }[]): FeatureMatrix {
  const { n, d } = matrix;
  const e = columns.length;
  const out = new Float64Array(n * (d + e));
  columns.forEach(({ name, values }) => {
    if (values.length !== n) {
      throw new WorkbenchError("appended column has a different number of rows than the features", { column: name, found: String(values.length), expected: String(n) });
    }
  });
  for (let i = 0; i < n; i++) {
    out.set(matrix.data.subarray(i * d, i * d + d), i * (d + e));
    for (let c = 0; c < e; c++) {
      const v = columns[c].values[i];
      if (!Number.isFinite(v)) {
        throw new WorkbenchError(`appended column has a missing or infinite value in prepared row ${i + 1}`, { column: columns[c].name, found: String(v) });
      }
      out[i * (d + e) + d + c] = v;
    }
  }
  return { names: [...matrix.names, ...columns.map((c) => c.name)], n, d: d + e, data: out };
}
