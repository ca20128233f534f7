/**
 * How far two clusterings of the same rows agree, for the "where do algorithms disagree" view:
 * the adjusted Rand index (1 = same partition whatever the label numbers, ~0 = chance) and the
 * cross-tabulation (rows = run A's segments, columns = run B's; noise -1 is one more group).
 */
import { adjustedRandIndex } from "./ari.ts";
import { contingencyTable, type Contingency } from "./contingency.ts";

export interface Agreement {
  ari: number;
  contingency: Contingency;
}

export function agreement(labelsA: ArrayLike<number>, labelsB: ArrayLike<number>): Agreement {
  const contingency = contingencyTable(labelsA, labelsB, { rows: "labelsA", cols: "labelsB" });
  return { ari: adjustedRandIndex(contingency), contingency };
}
