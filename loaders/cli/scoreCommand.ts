/**
 * `npm run --silent score -- (--model FILE | --dataset NAME) [--input NEW.csv] [--snapshot DATE]
 * [--save-model FILE]`: puts customers in the segments of a saved or freshly fitted model and
 * prints one JSON document {rows, ids, labels, probabilities?, notes, model}. Scoring the
 * training file with its own model gives the labels the report shows.
 */
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { WorkbenchError } from "../errors.ts";
import { readDataset } from "../io/read.ts";
import type { DatasetTable } from "../io/types.ts";
import { findDataset, loadManifest } from "../manifest/load.ts";
import { buildModel, readModel, scoringEntry, type ModelFile } from "../model/modelFile.ts";
import { scoreTable } from "../model/score.ts";
import { dataFilePath, projectRoot } from "../paths.ts";
import { analyze } from "../report/analyze.ts";
import { openSource, type SourceData } from "../source/open.ts";
import { scoreInPlace } from "../source/scoreInPlace.ts";
import { checkWritable } from "../source/writeBack.ts";
import { parseFlags, snapshotFlag, userPath, type CommandIO } from "./command.ts";
import { checkedOut, writeAtomically } from "./outputFile.ts";
import { jsonText } from "./jsonText.ts";

export const SCORE_USAGE = `Usage: npm run --silent score -- (--model FILE | --dataset NAME) [options]

Assigns customers to the segments of a model and prints JSON on stdout:
{rows, ids, labels, probabilities?, snapshot, notes, model}. labels are the run's labels as
npm run segment prints them (0..k-1; -1 = noise, DBSCAN only); model.segments maps each label to
the segment number the site and the export show (1 = the largest when the model was fitted), its
name and action. probabilities (Gaussian mixtures) give each customer's probability of every label.

  --model FILE        a model.json: published with each report (the Overview's "the model" link,
                      dist/_file/data/<dataset>/report/model.<hash>.json), or written by --save-model
  --dataset NAME      fit the dataset of data/manifest.json as the report does, and use that model
  --input FILE        the customers to score: a file laid out as the model's training file
                      (default with --dataset: the dataset's own file)
  --snapshot DATE     YYYY-MM-DD. Transaction logs: the first day not observed (default: the day
                      after the last purchase in the input). Customer tables: the day date features
                      count back from (default: the training data's latest date)
  --save-model FILE   with --dataset: also write the model (not into dist/, src/ or data/)
  --write-back        with --dataset of a database ("sql" in the manifest), required there unless
                      --save-model alone is asked for (fit and save, no scoring): score
                      its customers where they live, a chunk at a time (memory bounded whatever
                      their number), with --model FILE or the dataset's own fit, and write each
                      customer's segment to sql.segmentsTable (default customer_segments):
                      customer_id, segment, segment_name, model_version, scored_at; batches of
                      upserts into a staging table swapped in at the end, so a failure leaves the
                      previous assignment in place. Prints {customers, segments, noise, snapshot,
                      notes, written, model} instead of per-customer arrays

New customers are prepared as the training customers were: only the columns the model needs
are read (the id is optional); missing values get the training median or most common value;
categories never seen in training match no category; no row is dropped for a missing value or
an outlier (exact duplicates and repeated ids are, as in training). See "The model file" in the
README.
`;

const OPTIONS = {
  help: { type: "boolean" },
  model: { type: "string" },
  dataset: { type: "string" },
  input: { type: "string" },
  snapshot: { type: "string" },
  "save-model": { type: "string" },
  "write-back": { type: "boolean" }
} as const;

export async function scoreCommand(argv: string[], io: CommandIO): Promise<void> {
  const v = parseFlags(argv, OPTIONS);
  if (v.help) return io.out(SCORE_USAGE);
  const modelPath = typeof v.model === "string" ? v.model : undefined;
  const dataset = typeof v.dataset === "string" ? v.dataset : undefined;
  const entry = dataset === undefined ? undefined : findDataset(loadManifest(), dataset);
  // A database dataset is scored where it lives, its segments written back to it.
  const inPlace = entry?.format === "sql" && typeof v.input !== "string";
  if (inPlace && !v["write-back"] && typeof v["save-model"] !== "string") {
    throw new WorkbenchError(`scoring dataset "${entry!.name}" where it lives writes the segments to its database: add --write-back`, {
      hint: "Or only fit and save its model with --save-model FILE, read its customers' labels with npm run --silent segment -- --dataset NAME, or export them with npm run export"
    });
  }
  if (v["write-back"] && !inPlace) {
    throw new WorkbenchError("--write-back writes to the database a dataset reads from", {
      hint: entry?.format === "sql" ? "Leave out --input: the customers scored are the database's" : 'Give --dataset NAME of a dataset with "sql" in data/manifest.json; for a file, use npm run export'
    });
  }
  // Before any fit: a write-back that cannot happen is said at once.
  if (v["write-back"]) checkWritable(entry!);
  if ((modelPath === undefined) === (dataset === undefined) && !(inPlace && modelPath !== undefined)) {
    throw new WorkbenchError("give either --model or --dataset", { hint: "--model FILE scores with a saved model; --dataset NAME fits the dataset first" });
  }
  if (typeof v["save-model"] === "string" && (dataset === undefined || modelPath !== undefined)) {
    throw new WorkbenchError("--save-model needs --dataset", { hint: "A model is saved from a fit: npm run --silent score -- --dataset NAME --save-model model.json" });
  }
  if (modelPath !== undefined && typeof v.input !== "string" && !inPlace) {
    throw new WorkbenchError("--input is required with --model", { hint: "Name the file of customers to score, e.g. --input new-customers.csv" });
  }
  if (typeof v.snapshot === "string") snapshotFlag(v.snapshot, "--snapshot");
  const savePath = typeof v["save-model"] === "string" ? checkedOut(userPath(io, v["save-model"]), "--save-model", { example: "model.json", why: "a local model may hold customers' rows (DBSCAN's core points); the site publishes its own model.json" }) : undefined;

  let model: ModelFile;
  if (modelPath === undefined) {
    model = buildModel(await analyze(entry!, (m) => io.err(`  ${m}\n`)));
    if (savePath) {
      writeAtomically(savePath, JSON.stringify(model), "the model");
      io.err(`model saved to ${savePath}\n`);
    }
  } else model = readModel(userPath(io, modelPath), modelPath);
  const snapshot = v.snapshot as string | undefined;
  const summary = { dataset: model.dataset, modelVersion: model.modelVersion, run: model.run.id, segments: model.segments };
  if (inPlace && !v["write-back"]) {
    // --save-model alone: the fit is what was asked for.
    io.out(JSON.stringify({ saved: savePath, model: summary }) + "\n");
    return;
  }
  if (inPlace) {
    io.err(`scoring dataset "${entry!.name}" in its database with ${model.run.id} (model ${model.modelVersion})\n`);
    let result: Awaited<ReturnType<typeof scoreInPlace>>;
    try {
      result = await scoreInPlace(model, entry!, { snapshot, progress: (m) => io.err(`  ${m}\n`) });
    } catch (error) {
      throw error instanceof WorkbenchError ? new WorkbenchError(forTheModel(error.message, model)) : error;
    }
    result.notes = result.notes.map((n) => forTheModel(n, model));
    for (const note of result.notes) io.err(`note: ${note}\n`);
    io.err(`wrote ${result.written.rows} customers' segments to ${result.written.table} in ${result.written.batches} batch(es)${result.noise ? `; ${result.noise} noise customers (no segment) left out` : ""}\n`);
    io.out(JSON.stringify({ customers: result.customers, segments: result.segments, noise: result.noise, snapshot: result.snapshot, notes: result.notes, written: result.written, model: summary }) + "\n");
    return;
  }
  let source: SourceData;
  let shown: string;
  if (entry !== undefined && typeof v.input !== "string" && entry.format === "parquet") {
    shown = entry.file;
    io.err(`scoring ${shown} with ${model.run.id} (model ${model.modelVersion})\n`);
    source = await openSource(entry, { snapshots: () => (snapshot ? [snapshot] : []) });
  } else {
    const inputPath = typeof v.input === "string" ? userPath(io, v.input) : dataFilePath(entry!.file, entry!.name);
    shown = relative(projectRoot(), inputPath) || inputPath;
    io.err(`scoring ${shown} with ${model.run.id} of "${model.dataset}" (model ${model.modelVersion})\n`);
    source = readInput(model, inputPath, shown);
  }
  let scored: ReturnType<typeof scoreTable>;
  try {
    scored = scoreTable(model, source, { snapshot });
  } catch (error) {
    throw error instanceof WorkbenchError ? new WorkbenchError(forTheModel(error.message, model)) : error;
  }
  scored.notes = scored.notes.map((n) => forTheModel(n, model));
  for (const note of scored.notes) io.err(`note: ${note}\n`);
  const out = {
    rows: scored.rows,
    ids: scored.ids,
    labels: scored.labels,
    ...(scored.probabilities ? { probabilities: scored.probabilities } : {}),
    snapshot: scored.snapshot,
    notes: scored.notes,
    model: summary
  };
  io.out(jsonText(out) + "\n");
}

/**
 * The file to score, read as the model reads it: only the columns it needs. Without the id
 * column, customers are numbered by row (a note says so). Reader messages that point at the
 * manifest are reworded for the model, which is what the file must match.
 */
function readInput(model: ModelFile, path: string, shown: string): DatasetTable {
  if (model.entry.format === "sql" || model.entry.format === "parquet") {
    throw new WorkbenchError(`the model "${model.run.id}" of "${model.dataset}" was fitted on ${model.entry.format === "sql" ? "a database table" : "a Parquet file"}, so it has no text layout to read --input with`, {
      file: shown,
      hint: 'Score a dataset of data/manifest.json with the same columns instead: --model FILE --dataset NAME --write-back (or put the file in the manifest)'
    });
  }
  const id = Object.entries(model.entry.columns).find(([, role]) => role === "id")?.[0];
  const read = (without: string[]) => readDataset(scoringEntry(model, shown, without), path);
  try {
    try {
      return read([]);
    } catch (error) {
      if (id !== undefined && model.entry.kind === "customers" && missingColumn(error) === id) return read([id]);
      throw error;
    }
  } catch (error) {
    if (!(error instanceof WorkbenchError)) throw error;
    const column = missingColumn(error);
    const needs = `the model "${model.run.id}" of "${model.dataset}" reads ${model.entry.format} files with the columns ${Object.keys(model.entry.columns)
      .map((c) => (c === id ? `${c} (optional)` : c))
      .join(", ")}`;
    if (column !== undefined) {
      throw new WorkbenchError(`column "${column}" is missing: ${needs}`, { file: shown, hint: `Score a ${model.entry.format} file with those column names in its header${delimiterHint(path, model.entry.format)}` });
    }
    throw new WorkbenchError(forTheModel(error.message, model));
  }
}

/**
 * A reader, feature or preparation message reworded for scoring: they tell the user to edit
 * data/manifest.json or pass a flag of segment, where here the model decides and the file must
 * match it.
 */
function forTheModel(message: string, model: ModelFile): string {
  return message
    .replace(/Put the file there, or fix "file" of dataset "[^"]*" in data\/manifest\.json/, "Check the --input path")
    .replace(/set "dateFormat" in data\/manifest\.json to the format the file uses/, `write the dates as ${model.entry.dateFormat}, the model's date format`)
    .replace(/, or give the column another role in data\/manifest\.json/, "")
    .replace(/or set "header": false in data\/manifest\.json if the file has none/, "as in the training file")
    .replace(
      /Use transform "none" \(--transform none\) for this dataset, or give the column role "ignore"/,
      `The model log1p-transforms this feature${model.entry.kind === "transactions" ? " (derived from the log's purchases)" : ""}, so its values must be above -1: fix the value`
    )
    .replace(/; a cancellation rule in data\/manifest\.json would net them instead/, "; the model has no cancellation rule that would net them");
}

/** The column a reader error says is missing from the file, if that is the error. */
function missingColumn(error: unknown): string | undefined {
  return error instanceof WorkbenchError && /a column named in data\/manifest\.json is not in the file/.test(error.message) ? /column "([^"]+)"/.exec(error.message)?.[1] : undefined;
}

/** "; this file looks comma-separated" when its first line splits on another delimiter than the model's. */
function delimiterHint(path: string, format: string): string {
  let first = "";
  try {
    first = readFileSync(path, "utf8").split(/\r?\n/, 1)[0];
  } catch {
    return "";
  }
  const looks = first.includes("\t") ? "tsv" : first.split(",").length > 1 ? "csv" : first.split(";").length > 1 ? "semicolon-separated" : null;
  const words: Record<string, string> = { csv: "comma-separated", tsv: "tab-separated", whitespace: "whitespace-separated" };
  return looks && looks !== format ? `; this file looks ${words[looks] ?? looks}, the model reads ${words[format] ?? format} files` : "";
}
