/**
 * Getting an outcome and its predictors out of a prepared dataset: the outcome column's texts
 * become 1 (its positive value) and 0, and numeric columns can be appended to the features.
 */
import { WorkbenchError } from "../errors.ts";
import type { FeatureMatrix } from "../matrix.ts";

/** Positive values recognised without being named, lower case: 1/0, yes/no, true/false, y/n. */
const POSITIVE = ["1", "yes", "true", "y"];
const NEGATIVE = ["0", "no", "false", "n"];

export interface OutcomeIndicator {
  /** 1 where the outcome happened, 0 where not, for the rows that have a value. */
  y: Uint8Array;
  /** Indices of the rows that have a value (y[k] belongs to row rows[k]). */
  rows: Int32Array;
  positive: string;
  /** The other values, counted as "did not happen". */
  negatives: string[];
  /** Rows without a value, left out. */
  missing: number;
}

/**
 * The outcome as 0/1. The positive value is the one named in the manifest, or, for the usual
 * binary codings (1/0, yes/no, true/false, y/n in any case), the first of each pair; any other
 * column must name it. Every value other than the positive one counts as 0. Missing values are
 * left out (and counted): unknown is not "no".
 */
export function outcomeIndicator(values: ReadonlyArray<string | null>, { column, positive, file }: { column: string; positive?: string; file?: string }): OutcomeIndicator {
  const present: number[] = [];
  const distinct = new Map<string, number>();
  values.forEach((v, i) => {
    if (v === null) return;
    present.push(i);
    distinct.set(v, (distinct.get(v) ?? 0) + 1);
  });
  const seen = [...distinct.keys()].sort();
  const shown = seen.slice(0, 6).map((v) => JSON.stringify(v)).join(", ") + (seen.length > 6 ? ", …" : "");
  // The value that means "happened", as a test on a value: exact when named, else the usual
  // codings compared in any case ("Yes", "yes").
  let isPositive: (v: string) => boolean;
  let chosen: string;
  if (positive === undefined) {
    const lower = [...new Set(seen.map((v) => v.toLowerCase()))];
    const pair = POSITIVE.findIndex((p, k) => lower.length === 2 && lower.includes(p) && lower.includes(NEGATIVE[k]));
    if (pair < 0) {
      throw new WorkbenchError("cannot tell which value of the outcome means it happened", {
        file,
        column,
        found: `values ${shown}`,
        hint: `Name it in data/manifest.json: "${column}": {"role": "outcome", "positive": ${JSON.stringify(seen[0] ?? "Yes")}}`
      });
    }
    chosen = seen.find((v) => v.toLowerCase() === POSITIVE[pair])!;
    isPositive = (v) => v.toLowerCase() === POSITIVE[pair];
  } else {
    if (!distinct.has(positive)) {
      throw new WorkbenchError("the outcome's positive value never occurs", {
        file,
        column,
        found: positive,
        expected: `one of ${shown}`,
        hint: `Fix "positive" of "${column}" in data/manifest.json`
      });
    }
    chosen = positive;
    isPositive = (v) => v === positive;
  }
  const y = Uint8Array.from(present, (i) => (isPositive(values[i]!) ? 1 : 0));
  return { y, rows: Int32Array.from(present), positive: chosen, negatives: seen.filter((v) => !isPositive(v)), missing: values.length - present.length };
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
