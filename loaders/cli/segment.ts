/**
 * `npm run --silent segment -- ...`: the build's pipeline, headless. Reads a file (flags) or a
 * manifest dataset (--dataset), prepares it, runs the grid or one algorithm's part of it, and prints
 * one JSON document on stdout; progress goes to stderr. See `--help` and the README.
 */
import { resolve } from "node:path";
import { runMain, WorkbenchError } from "../errors.ts";
import { runExperiment } from "../experiment/runner.ts";
import { prepareDataset, type PreparedDataset } from "../experiment/pipeline.ts";
import type { DatasetEntry } from "../manifest/types.ts";
import { checkAgainstData, commandLineError, parseSegmentArgs, SEGMENT_USAGE } from "./segmentArgs.ts";

await runMain(() => {
  const args = parseSegmentArgs(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(SEGMENT_USAGE);
    return;
  }
  const progress = (m: string) => process.stderr.write(`${m}\n`);
  progress(`reading ${args.input ?? args.entry.file}`);
  const { prepared } = readInput(args.entry, args.input);
  progress(`${prepared.matrix.n} customers × ${prepared.matrix.d} features`);
  checkAgainstData(args, prepared.matrix.n);
  // No explicit runs: the runner plans them from the (narrowed) experiment exactly as the site
  // does, so a run has the same id, parameters and seed here and there.
  const result = runExperiment({ matrix: prepared.matrix, label: prepared.label, options: args.entry.experiment, progress });
  const out = {
    dataset: args.entry.name,
    n: prepared.matrix.n,
    features: prepared.matrix.names,
    rows: Array.from(prepared.rows),
    ids: prepared.ids,
    recommended: result.recommendation ?? null,
    runs: result.runs.map((r) => ({
      id: r.id,
      algorithm: r.algorithm,
      params: r.params,
      labels: Array.from(r.labels),
      metrics: r.metrics,
      notes: r.notes,
      seconds: Number(r.seconds.toFixed(3))
    }))
  };
  process.stdout.write(JSON.stringify(out) + "\n");
});

/** Reads and prepares the input; errors about an --input file are worded for its flags. */
function readInput(entry: DatasetEntry, input: string | undefined): PreparedDataset {
  try {
    return prepareDataset(entry, input && resolve(input));
  } catch (error) {
    throw input !== undefined && error instanceof WorkbenchError ? commandLineError(error, entry, input) : error;
  }
}
