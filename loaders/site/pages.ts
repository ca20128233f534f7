import type { DatasetEntry } from "../manifest/types.ts";

/** The report pages a dataset can have, in sidebar order (src/[dataset]/<path>.md). */
export const REPORT_PAGES = [
  { path: "", title: "Overview" },
  { path: "segments", title: "Segments" },
  { path: "personas", title: "Personas" },
  { path: "value", title: "Value" },
  { path: "compare", title: "Compare algorithms" },
  { path: "evaluation", title: "Evaluation" },
  { path: "experiments", title: "Experiments" },
  { path: "drift", title: "Drift" }
] as const;

/**
 * A dataset's pages: every report page, but Value only where there is something to model — a
 * transaction log (customer value, P(alive)) or a customer table with an outcome column, declared
 * or possibly inferred (roles inferred from the file, read only when the report is built) — and
 * Drift only for a dataset with snapshots.
 */
export function reportPages(entry: Pick<DatasetEntry, "kind" | "outcome" | "columns" | "otherColumns" | "snapshots">): ReadonlyArray<(typeof REPORT_PAGES)[number]> {
  const value = entry.kind === "transactions" || entry.outcome !== undefined || Object.values(entry.columns).includes("outcome") || entry.otherColumns === "infer";
  return REPORT_PAGES.filter((p) => (p.path !== "value" || value) && (p.path !== "drift" || entry.snapshots !== undefined));
}
