/**
 * `npm run --silent drift -- (<input flags as segment> --from DATE --to DATE | --dataset NAME)`:
 * what moved between two snapshots of a customer base (drift/snapshots.ts), as one JSON document.
 */
import { WorkbenchError } from "../errors.ts";
import { checkSnapshotIds, checkWithinLog, comparePair, fitSnapshot, type DriftPair, type SnapshotRef } from "../drift/snapshots.ts";
import { analyze } from "../report/analyze.ts";
import { driftFile } from "../report/drift.ts";
import { DRIFT_THRESHOLDS } from "../drift/verdict.ts";
import { readDataset } from "../io/read.ts";
import { openSource } from "../source/open.ts";
import { integerFlag, parseFlags, snapshotFlag, type CommandIO } from "./command.ts";
import { INPUT_OPTIONS, INPUT_USAGE, inputEntry, withInputErrors } from "./inputArgs.ts";

export const DRIFT_USAGE = `Usage: npm run --silent drift -- (--dataset NAME | --input FILE [column options]) [--from DATE --to DATE] [options]

Segments the customers at two snapshots as the report does (the grid, the recommended run), scores
the later customers with the earlier model, and prints one JSON document on stdout:
{dataset, from, to, run, customers, common, entered, left, migration: {from, to, counts, entering,
leaving}, segments, psi, words, centroidShift, ari, refit, stayed, verdict, reasons, notes, pairs,
thresholds}: the latest pair of snapshots at the top, every consecutive pair under "pairs".

migration.counts[r][c] counts the customers present at both snapshots who were in segment from[r]
of the earlier recommended run (labels as npm run segment --snapshot FROM prints them) and are
given segment to[c] by that run's model now; entering/leaving count new and gone customers per
segment. psi is per feature (10 bins at the earlier deciles); centroidShift is in standard
deviations of the earlier snapshot; ari compares the carried labels with the later snapshot's own
recommended run. verdict is stable, monitor or resegment (thresholds in the README, "Snapshots and drift").

${INPUT_USAGE}
Snapshots
  --from DATE --to DATE     transaction logs: the two snapshots, YYYY-MM-DD (each the first day not observed)
  without them              --dataset's manifest "snapshots"
  --seed S                  the experiment seed (default 42, or the manifest's)
`;

const OPTIONS = { help: { type: "boolean" }, ...INPUT_OPTIONS, from: { type: "string" }, to: { type: "string" }, seed: { type: "string" } } as const;

export async function driftCommand(argv: string[], io: CommandIO): Promise<void> {
  const v = parseFlags(argv, OPTIONS);
  if (v.help) return io.out(DRIFT_USAGE);
  const { entry, input } = inputEntry(v, io, ["from", "to"]);
  if (typeof v.seed === "string") entry.experiment.seed = integerFlag(v.seed, "--seed");
  const from = v.from as string | undefined;
  const to = v.to as string | undefined;
  if ((from === undefined) !== (to === undefined)) throw new WorkbenchError(`--${from === undefined ? "from" : "to"} is missing`, { hint: "Give both --from and --to, e.g. --from 1998-01-01 --to 1998-07-01" });
  if (from !== undefined && entry.kind !== "transactions") {
    throw new WorkbenchError("--from and --to are dates of a transaction log", {
      hint: 'For a customer table, list its snapshot files with their dates under "snapshots" in data/manifest.json and give --dataset'
    });
  }
  if (from !== undefined) {
    snapshotFlag(from, "--from");
    snapshotFlag(to!, "--to");
    if (!(from < to!)) throw new WorkbenchError("--from must be before --to", { found: `${from} → ${to}` });
  } else if (!entry.snapshots) {
    const table = entry.kind === "customers";
    throw new WorkbenchError(input ? (table ? "a customer table's snapshots are files listed in data/manifest.json" : "give --from and --to") : `dataset "${entry.name}" has no snapshots`, {
      hint: table
        ? 'Add the table as a dataset with "snapshots": [{"date": "YYYY-MM-DD", "file": "…"}, …] (its own file the latest), then give --dataset'
        : input
          ? "Name the two snapshot dates of the log"
          : 'Add "snapshots" to its manifest entry (dates or a cadence), or give --from and --to'
    });
  }
  const progress = (m: string) => io.err(`${m}\n`);
  const pairs = await withInputErrors(entry, input, async (path) => {
    // A manifest's snapshots: exactly what the Drift page shows (the report's own snapshot with
    // its value models and names).
    if (from === undefined) {
      if (entry.kind === "customers") checkSnapshotIds(readDataset(entry));
      return driftFile(await analyze(entry, progress), progress).pairs;
    }
    const source = entry.kind === "transactions" ? await openSource(entry, { path, snapshots: () => [from, to!], progress }) : null;
    const refs: SnapshotRef[] = [{ date: from, file: entry.file }, { date: to!, file: entry.file }];
    if (source) checkWithinLog(source, refs.map((r) => r.date));
    const fits = refs.map((ref) => fitSnapshot(entry, ref, source, progress));
    return fits.slice(1).map((later, i) => comparePair(fits[i], later));
  });
  const latest: DriftPair = pairs[pairs.length - 1];
  for (const note of latest.notes) io.err(`note: ${note}\n`);
  io.out(JSON.stringify({ dataset: entry.name, ...latest, pairs, thresholds: DRIFT_THRESHOLDS }) + "\n");
}
