import { adjustedRandIndex } from "../../loaders/evaluate/ari.ts";
import { contingencyTable } from "../../loaders/evaluate/contingency.ts";
import * as aq from "arquero";
import { expect } from "vitest";
import { WorkbenchError } from "../../loaders/errors.ts";
import type { DatasetTable } from "../../loaders/io/types.ts";
import { typeOfRole, type ColumnRole, type PrepareOptions } from "../../loaders/manifest/types.ts";
import type { FeatureMatrix } from "../../loaders/matrix.ts";

/** A matrix from literal rows, features named x0, x1, … (d given for an empty matrix). */
export function matrixOf(rows: number[][], d = rows[0]?.length ?? 2): FeatureMatrix {
  return { names: Array.from({ length: d }, (_, j) => `x${j}`), n: rows.length, d, data: Float64Array.from(rows.flat()) };
}

/** Adjusted Rand index between two labelings (the metric itself is tested against scikit-learn). */
export function ari(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return adjustedRandIndex(contingencyTable(a, b));
}

export type Values = Array<number | null> | Array<string | null>;

/** A DatasetTable as loaders/io builds it: numbers/dates as Float64Array (NaN = missing), strings with null. */
export function tableOf(cols: Record<string, [ColumnRole, Values]>, prepare: PrepareOptions): DatasetTable {
  const data: Record<string, Float64Array | Array<string | null>> = {};
  const columns: DatasetTable["columns"] = [];
  let rows = 0;
  for (const [name, [role, values]] of Object.entries(cols)) {
    const type = typeOfRole(role);
    rows = values.length;
    if (type === "string") {
      data[name] = values as Array<string | null>;
      columns.push({ name, role, type, missing: values.filter((v) => v === null).length });
    } else {
      data[name] = Float64Array.from(values as Array<number | null>, (v) => (v === null ? NaN : v));
      columns.push({ name, role, type, missing: values.filter((v) => v === null).length });
    }
  }
  return {
    entry: {
      name: "fixture",
      title: "fixture",
      description: "",
      kind: "customers",
      file: "fixture.csv",
      format: "csv",
      columns: Object.fromEntries(Object.entries(cols).map(([n, [r]]) => [n, r])),
      prepare,
      refresh: "quarterly",
      experiment: { seed: 1 }
    },
    file: "fixture.csv",
    table: aq.table(data),
    columns,
    lines: Int32Array.from({ length: rows }, (_, i) => i + 2),
    rows,
    notes: []
  };
}


/** Asserts that f throws a WorkbenchError with this message (exact text, or matching a pattern). */
export function expectWorkbenchError(f: () => unknown, message: string | RegExp): void {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(WorkbenchError);
  if (typeof message === "string") expect((caught as Error).message).toBe(message);
  else expect((caught as Error).message).toMatch(message);
}
