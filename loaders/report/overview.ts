import type { Analysis } from "./analyze.ts";
import { sigDeep } from "./display.ts";

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
    columns: data.source.columns.map(({ name, role, type, missing }) => ({ name, role, type, missing })),
    transactions: data.transactions ? { snapshot: data.transactions.snapshot, customers: data.transactions.customers, ...data.transactions.report } : null,
    quality: sigDeep(data.prepared.report),
    features: data.prepared.matrix.names,
    recommended: {
      runId: s.run.id,
      algorithm: s.run.algorithm,
      k: s.run.k,
      rule: experiment.recommendation.rule,
      metrics: sigDeep(s.run.metrics),
      noise: s.run.metrics.noise,
      segments: s.names.map((name, i) => ({ segment: i, name, size: s.sizes[i], share: s.sizes[i] / n, action: s.actions[i] }))
    }
  };
}
