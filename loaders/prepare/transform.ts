/**
 * log1p transform for right-skewed features (spend, counts). log1p rather than log so that
 * zeros stay finite; it needs every value > −1.
 */
import { WorkbenchError } from "../errors.ts";
import { skewness } from "./stats.ts";

/** A skewness above this marks a column as "skewed" (a common rule of thumb: |G1| > 1 is highly skewed). */
export const SKEW_LIMIT = 1;

export function isSkewed(values: Float64Array): { skewness: number; skewed: boolean } {
  const s = skewness(values);
  return { skewness: s, skewed: s > SKEW_LIMIT };
}

/**
 * log1p of every value; a value ≤ −1 is a user error (the manifest asked for a transform the
 * data cannot take). `where` maps a row to its file and line for the message.
 */
export function log1pColumn(
  values: Float64Array,
  column: string,
  where: (row: number) => { file?: string; line?: number }
): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!(v > -1)) {
      throw new WorkbenchError("cannot apply the log1p transform", {
        ...where(i),
        column,
        found: String(v),
        expected: "values > -1",
        hint: 'Use transform "none" (--transform none) for this dataset, or give the column role "ignore"'
      });
    }
    out[i] = Math.log1p(v);
  }
  return out;
}
