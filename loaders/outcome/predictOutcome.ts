/**
 * The outcome model for a prepared customer table: its outcome column as 0/1, the features the
 * segments were found on plus the profile-only numbers (earlier campaign responses, complaints:
 * known facts about a customer that may predict the outcome), and both models cross-validated.
 * Rows without an outcome are left out of the model and of the rates. The outcome itself is
 * never a feature, nor a gold-standard segmentation.
 */
import type { PreparedDataset } from "../experiment/pipeline.ts";
import { selectRows } from "../matrix.ts";
import { fillNumbers, medianOfPresent } from "../prepare/missing.ts";
import type { Rng } from "../rng.ts";
import { outcomeIndicator, withColumns } from "./columns.ts";
import { outcomeModel, type OutcomeModelResult } from "./outcomeModel.ts";

export interface OutcomeAnalysis {
  column: string;
  positive: string;
  negatives: string[];
  /** Prepared rows without an outcome, left out. */
  missing: number;
  /** Features the models were given. */
  features: string[];
  model: OutcomeModelResult;
  /** Per prepared row: 1/0 where the outcome is known, -1 where it is missing. */
  y: Int8Array;
  /** Per prepared row: the chosen model's out-of-fold P(outcome); NaN where the outcome is missing. */
  probability: Float64Array;
  notes: string[];
}

export function predictOutcome(data: PreparedDataset, rng: Rng, progress?: (fraction: number) => void): OutcomeAnalysis | null {
  const { prepared, entry } = data;
  if (!prepared.outcome || !entry.outcome) return null;
  const indicator = outcomeIndicator(prepared.outcome, entry.outcome);
  const extra = Object.keys(prepared.profile)
    .filter((name) => entry.columns[name] === "profile")
    .map((name) => ({ name, values: fillNumbers(prepared.profile[name], medianOfPresent(prepared.profile[name])) }));
  const all = withColumns(prepared.matrix, extra);
  const matrix = indicator.missing ? selectRows(all, indicator.rows) : all;
  const model = outcomeModel(matrix, indicator.y, { rng, outcomeName: entry.outcome.column, progress });
  const n = prepared.matrix.n;
  const y = new Int8Array(n).fill(-1);
  const probability = new Float64Array(n).fill(NaN);
  indicator.rows.forEach((row, k) => {
    y[row] = indicator.y[k];
    probability[row] = model.probability[k];
  });
  const notes = [...model.notes];
  if (indicator.missing) notes.unshift(`${indicator.missing} customer(s) without a value of ${entry.outcome.column} left out of the model and the rates`);
  if (extra.length) notes.push(`Besides the segmentation features, the models use ${extra.map((c) => c.name).join(", ")}`);
  return { column: entry.outcome.column, positive: indicator.positive, negatives: indicator.negatives, missing: indicator.missing, features: matrix.names, model, y, probability, notes };
}
