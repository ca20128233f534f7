/**
 * Contingency table of two labelings of the same rows: counts[r][c] = rows with label
 * rowLabels[r] in the first labeling and colLabels[c] in the second. For external metrics
 * rows are predicted segments and columns true labels (scikit-learn's contingency_matrix is the
 * transpose). Labels are listed in ascending order (numbers before strings); DBSCAN noise (-1)
 * is an ordinary label here, i.e. one more predicted group.
 */
import { WorkbenchError } from "../errors.ts";
import { encodeLabels, type LabelValue } from "./labels.ts";

export interface Contingency {
  rowLabels: LabelValue[];
  colLabels: LabelValue[];
  /** counts[r][c]; every row and column has a non-zero total. */
  counts: number[][];
  rowTotals: number[];
  colTotals: number[];
  /** Number of rows labelled. */
  n: number;
}

/** Tables larger than this are refused: the second labeling is then not categorical (e.g. an id). */
export const MAX_CONTINGENCY_CELLS = 2_000_000;

export function contingencyTable(
  rowValues: ArrayLike<LabelValue>,
  colValues: ArrayLike<LabelValue>,
  names: { rows: string; cols: string } = { rows: "labelsPred", cols: "labelsTrue" }
): Contingency {
  if (rowValues.length !== colValues.length) {
    throw new WorkbenchError(`${names.rows} and ${names.cols} have different lengths`, {
      found: `${rowValues.length} and ${colValues.length}`,
      expected: "one label per row in both"
    });
  }
  const r = encodeLabels(rowValues, { sorted: true, what: names.rows });
  const c = encodeLabels(colValues, { sorted: true, what: names.cols });
  const R = r.names.length;
  const C = c.names.length;
  if (R * C > MAX_CONTINGENCY_CELLS) {
    throw new WorkbenchError(`${names.rows} × ${names.cols} have too many distinct values to compare`, {
      found: `${R} × ${C}`,
      expected: `at most ${MAX_CONTINGENCY_CELLS.toLocaleString("en-US")} combinations`,
      hint: "compare segments with a categorical column (few distinct values), not an id or a continuous column"
    });
  }
  const flat = new Float64Array(R * C);
  for (let i = 0; i < rowValues.length; i++) flat[r.codes[i] * C + c.codes[i]]++;
  const counts: number[][] = [];
  for (let i = 0; i < R; i++) counts.push(Array.from(flat.subarray(i * C, i * C + C)));
  return {
    rowLabels: r.names,
    colLabels: c.names,
    counts,
    rowTotals: r.counts,
    colTotals: c.counts,
    n: rowValues.length
  };
}
