/**
 * One-hot encoding of a categorical column: one 0/1 column per category, named
 * "Column=value", categories in code-unit order so the column order never depends on row order.
 */
import { compareStrings } from "./stats.ts";

export interface OneHot {
  categories: string[];
  names: string[];
  columns: Float64Array[];
}

export function oneHot(column: string, values: ReadonlyArray<string>): OneHot {
  const categories = Array.from(new Set(values)).sort(compareStrings);
  const index = new Map(categories.map((c, j) => [c, j]));
  const columns = categories.map(() => new Float64Array(values.length));
  for (let i = 0; i < values.length; i++) columns[index.get(values[i])!][i] = 1;
  return { categories, names: categories.map((c) => `${column}=${c}`), columns };
}
