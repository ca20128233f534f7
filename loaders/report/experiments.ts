import { metricColumns } from "../registry/metrics.ts";
import { WorkbenchError } from "../errors.ts";
import type { Analysis } from "./analyze.ts";
import type { ExperimentsFile } from "./contract.ts";
import { sig, sigDeep } from "./display.ts";

/**
 * The build date: SOURCE_DATE_EPOCH when set (reproducible builds), else today. With it set,
 * the whole report is byte-identical for the same input; without it only this date and the
 * timings differ between builds.
 */
export function buildDate(): string {
  const epoch = process.env.SOURCE_DATE_EPOCH;
  if (!epoch) return new Date().toISOString().slice(0, 10);
  const date = new Date(Number(epoch) * 1000);
  if (!/^\d+$/.test(epoch) || Number.isNaN(date.getTime())) {
    throw new WorkbenchError("SOURCE_DATE_EPOCH is not a date", { found: epoch, expected: "whole seconds since 1970-01-01, e.g. 1700000000" });
  }
  return date.toISOString().slice(0, 10);
}

/** Experiments page: every run tried, with its parameters, metrics and time. */
export function experimentsFile(a: Analysis): ExperimentsFile {
  const { experiment, entry } = a;
  return {
    fingerprint: a.fingerprint,
    built: buildDate(),
    seed: entry.experiment.seed,
    prepare: entry.prepare,
    grid: entry.experiment.grid ?? null,
    recommended: sigDeep(experiment.recommendation),
    epsSuggestion: experiment.epsSuggestion ? { eps: experiment.epsSuggestion.eps, minPoints: experiment.epsSuggestion.minPoints } : null,
    /** The run table's metric columns, from the metric registry. */
    metrics: metricColumns(experiment.runs),
    runs: experiment.runs.map((r) => ({
      id: r.id,
      algorithm: r.algorithm,
      params: r.params,
      k: r.k,
      sizes: [...r.sizes].sort((x, y) => y - x),
      seconds: sig(r.seconds, 3),
      metrics: sigDeep(r.metrics) as unknown as Record<string, number | null>,
      notes: r.notes,
      verdict: experiment.recommendation.verdicts[r.id] ?? "not compared"
    }))
  };
}
