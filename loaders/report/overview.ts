import type { Analysis } from "./analyze.ts";
import { preparationNotes } from "../experiment/pipeline.ts";
import { sig, sigDeep } from "./display.ts";
import { segmentWorth } from "./value.ts";
import type { OverviewFile } from "./contract.ts";
import { review } from "./review.ts";

/** Overview page: what the data is, how clean it was, and the recommended segmentation. */
export function overviewFile(a: Analysis): OverviewFile {
  const { entry, data, segmentation: s, experiment } = a;
  const n = s.labels.length;
  return {
    dataset: {
      name: entry.name,
      title: entry.title,
      description: entry.description,
      source: entry.source ?? null,
      kind: entry.kind,
      // A database dataset: its table's name, or "query" (the query text may name internals).
      file: entry.file || (entry.sql?.table ?? "query"),
      format: entry.format
    },
    review: review(a),
    drift: entry.snapshots !== undefined,
    rows: data.source.rows,
    customers: n,
    columns: data.source.columns.map(({ name, role, type, missing, inferred }) => ({ name, role, measures: entry.tags?.[name] ?? null, type, missing, inferred: inferred ?? null })),
    transactions: data.transactions ? { snapshot: data.transactions.snapshot, customers: data.transactions.customers, ...data.transactions.report } : null,
    quality: sigDeep(data.prepared.report),
    /** Everything reading and preparation decided, in order (the CLI prints the same notes). */
    notes: preparationNotes(data),
    features: data.prepared.matrix.names,
    recommended: {
      runId: s.run.id,
      algorithm: s.run.algorithm,
      k: s.run.k,
      rule: experiment.recommendation.rule,
      fallback: experiment.recommendation.fallback,
      settings: experiment.recommendation.settings,
      strongest: experiment.recommendation.strongest && sigDeep(experiment.recommendation.strongest),
      metrics: sigDeep(s.run.metrics) as unknown as Record<string, number | null>,
      noise: s.run.metrics.noise,
      valueMeasure: s.types.value?.measure ?? null,
      segments: s.names.map((name, i) => ({ segment: i, name, size: s.sizes[i], share: s.sizes[i] / n, valueShare: s.personas[i].valueShare === null ? null : sig(s.personas[i].valueShare!, 4), action: s.actions[i], ...segmentWorth(a, i) }))
    }
  };
}
