/**
 * `npm run --silent segment -- ...`: the build's pipeline, headless. Reads a file (flags) or a
 * manifest dataset (--dataset), prepares it, runs one algorithm or the default grid, and prints
 * one JSON document on stdout; progress goes to stderr. See `--help` and the README.
 */
import { runMain } from "../errors.ts";
import { runExperiment } from "../experiment/runner.ts";
import { prepareDataset } from "../experiment/pipeline.ts";
import { parseSegmentArgs, SEGMENT_USAGE } from "./segmentArgs.ts";

await runMain(() => {
  const args = parseSegmentArgs(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(SEGMENT_USAGE);
    return;
  }
  const progress = (m: string) => process.stderr.write(`${m}\n`);
  progress(`reading ${args.path ?? args.entry.file}`);
  const data = prepareDataset(args.entry, args.path);
  const { prepared } = data;
  progress(`${prepared.matrix.n} customers × ${prepared.matrix.d} features`);
  const result = runExperiment({
    matrix: prepared.matrix,
    label: prepared.label,
    options: args.entry.experiment,
    runs: args.runs?.(prepared.matrix),
    progress
  });
  const out = {
    dataset: args.entry.name,
    n: prepared.matrix.n,
    features: prepared.matrix.names,
    rows: Array.from(prepared.rows),
    ids: prepared.ids,
    recommended: result.recommendation,
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
