/**
 * `npm run --silent segment -- ...`: the build's pipeline, headless. Reads a file (flags) or a
 * manifest dataset (--dataset), prepares it, runs the grid or one algorithm's part of it, and prints
 * one JSON document; progress and notes go to stderr. See `--help` and the README.
 */
import { runExperiment } from "../experiment/runner.ts";
import { loadDataset, preparationNotes, type PreparedDataset } from "../experiment/pipeline.ts";
import type { CommandIO } from "./command.ts";
import { jsonText } from "./jsonText.ts";
import { withInputErrors } from "./inputArgs.ts";
import { checkAgainstData, parseSegmentArgs, SEGMENT_USAGE } from "./segmentArgs.ts";

export async function segmentCommand(argv: string[], io: CommandIO): Promise<void> {
  const args = parseSegmentArgs(argv, io);
  if (args.help) {
    io.out(SEGMENT_USAGE);
    return;
  }
  const progress = (m: string) => io.err(`${m}\n`);
  progress(`reading ${args.input?.typed ?? (args.entry.file || `dataset "${args.entry.name}" from its database`)}`);
  const data = await withInputErrors(args.entry, args.input, (path) => loadDataset(args.entry, { path, progress }));
  const notes = reportNotes(data, io);
  const { prepared } = data;
  progress(`${prepared.matrix.n} customers × ${prepared.matrix.d} features`);
  checkAgainstData(args, prepared.matrix.n);
  // No explicit runs: the runner plans them from the (narrowed) experiment exactly as the site
  // does, so a run has the same id, parameters and seed here and there.
  const result = runExperiment({ matrix: prepared.matrix, label: prepared.label, options: data.entry.experiment, progress });
  const out = {
    dataset: args.entry.name,
    n: prepared.matrix.n,
    features: prepared.matrix.names,
    rows: prepared.rows,
    ids: prepared.ids,
    notes,
    recommended: result.recommendation ?? null,
    runs: result.runs.map((r) => ({
      id: r.id,
      algorithm: r.algorithm,
      params: r.params,
      labels: r.labels,
      metrics: r.metrics,
      notes: r.notes,
      seconds: Number(r.seconds.toFixed(3))
    }))
  };
  io.out(jsonText(out) + "\n");
}

/** Every preparation note, as `note:` lines on stderr (they change what the numbers mean), and for the JSON. */
export function reportNotes(data: PreparedDataset, io: CommandIO): string[] {
  const notes = preparationNotes(data);
  for (const note of notes) io.err(`note: ${note}\n`);
  return notes;
}
