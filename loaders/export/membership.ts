/**
 * Segment membership for a CRM: one row per customer with the segment the report shows (1 =
 * the largest), its name and action, the segment types, the value models' figures where they
 * exist, the snapshot date and a model version. Built from the same analysis as the report, so
 * the export and the site always agree.
 */
import type { SegmentTypeId } from "../profile/segmentTypes.ts";
import type { Analysis } from "../report/analyze.ts";
import { sig } from "../report/display.ts";
import { buildDate } from "../report/experiments.ts";
import { modelVersion } from "../model/modelFile.ts";
import { dataAsOf } from "../report/review.ts";

/** Column names of the segment types, in the order the types are listed. */
const TYPE_COLUMNS: Record<SegmentTypeId, string> = {
  highValue: "high_value",
  churnRisk: "likely_to_churn",
  categoryLover: "category_lover",
  discountSeeker: "discount_seeker",
  new: "new_customer",
  inactive: "inactive"
};

export interface Membership {
  header: string[];
  rows: string[][];
  snapshot: string;
  modelVersion: string;
}

/**
 * The membership table. `emails` (hashes per prepared customer) adds an `email_sha256` column.
 * Noise (DBSCAN) has an empty segment number and no action.
 */
export function membership(a: Analysis, emails?: string[]): Membership {
  const s = a.segmentation;
  const { types } = s;
  // A log's snapshot; a table's date as the Overview gives it, else the build date.
  const snapshot = a.data.transactions?.snapshot ?? dataAsOf(a) ?? buildDate();
  const version = modelVersion(a.fingerprint, s.run.id);
  const value = a.value;
  const outcome = a.outcome?.analysis ?? null;
  const header = [
    "customer_id",
    "segment",
    "segment_name",
    "action",
    ...types.types.map((t) => TYPE_COLUMNS[t.id]),
    ...(value ? ["clv", "p_alive"] : []),
    ...(outcome ? ["outcome_probability"] : []),
    ...(emails ? ["email_sha256"] : []),
    "snapshot_date",
    "model_version"
  ];
  const number = (x: number, digits: number) => (Number.isFinite(x) ? String(sig(x, digits)) : "");
  const rows = a.data.prepared.ids.map((id, i) => {
    const segment = s.labels[i];
    const typeCells = types.types.map((t) => {
      if (t.id === "categoryLover") return types.category![i] >= 0 ? types.categories[types.category![i]].label : "";
      return String(types.flags[t.id]![i]);
    });
    return [
      id,
      segment >= 0 ? String(segment + 1) : "",
      segment >= 0 ? s.names[segment] : "Noise (no segment)",
      segment >= 0 ? s.actions[segment] : "",
      ...typeCells,
      ...(value ? [number(value.clv[i], 6), number(value.pAlive[i], 4)] : []),
      ...(outcome ? [number(outcome.probability[i], 4)] : []),
      ...(emails ? [emails[i] ?? ""] : []),
      snapshot,
      version
    ];
  });
  return { header, rows, snapshot, modelVersion: version };
}
