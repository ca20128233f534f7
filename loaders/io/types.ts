import type { Table } from "arquero";
import type { ColumnRole, ColumnType, DatasetEntry } from "../manifest/types.ts";

/**
 * A dataset as read and typed by loaders/io, before preparation.
 * Column values in `table`:
 * - number columns: Float64Array, NaN where the field was missing
 * - date columns: Float64Array of epoch milliseconds (UTC midnight), NaN where missing
 * - string columns: Array<string | null>, null where missing
 * Only the manifest columns are present (in manifest order), except roles "personal" and
 * "ignore", which are never loaded: personal data cannot leak from what is not there.
 */
export interface DatasetTable {
  entry: DatasetEntry;
  /** Path of the file that was read, as shown in messages. */
  file: string;
  table: Table;
  /**
   * Columns read, with their role, type and count of missing values; `inferred` says why a role
   * not given by the manifest was chosen (otherColumns "infer").
   */
  columns: Array<{ name: string; role: ColumnRole; type: ColumnType; missing: number; inferred?: string }>;
  /** 1-based physical line in the file where each row starts (for messages). */
  lines: Int32Array;
  /** Number of data rows. */
  rows: number;
  /** What the reader decided that the user should know (inferred roles). */
  notes: string[];
}
