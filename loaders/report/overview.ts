import type { Analysis } from "./analyze.ts";
import { preparationNotes } from "../experiment/pipeline.ts";
import { sigDeep } from "./display.ts";
import { segmentWorth } from "./value.ts";

/** Overview page: what the data is, how clean it was, and the recommended segmentation. */
export function overviewFile(a: Analysis) {
  const { entry, data, segmentation: s, experiment } = a;
  const n = s.labels.length;
  return {
    dataset: {
      name: entry.name,
      title: entry.title,
      description: entry.description,
      source: entry.source ?? null,
      kind: entry.kind,
      file: entry.file,
      format: entry.format
    },
    rows: data.source.rows,
    customers: n,
    columns: data.source.columns.map(({ name, role, type, missing, inferred }) => ({ name, role, type, missing, inferred: inferred ?? null })),
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
      metrics: sigDeep(s.run.metrics),
      noise: s.run.metrics.noise,
      segments: s.names.map((name, i) => ({ segment: i, name, size: s.sizes[i], share: s.sizes[i] / n, action: s.actions[i], ...segmentWorth(a, i) }))
    }
  };
}
