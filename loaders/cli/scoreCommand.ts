/**
 * `npm run --silent score -- (--model FILE | --dataset NAME) [--input NEW.csv] [--snapshot DATE]
 * [--save-model FILE]`: puts customers in the segments of a saved or freshly fitted model and
 * prints one JSON document {rows, ids, labels, probabilities?, notes, model}. Scoring the
 * training file with its own model gives the labels the report shows.
 */
import { relative } from "node:path";
import { WorkbenchError } from "../errors.ts";
import { parseSnapshot } from "../features/rfm.ts";
import { readDataset } from "../io/read.ts";
import type { DatasetTable } from "../io/types.ts";
import { findDataset, loadManifest } from "../manifest/load.ts";
import { buildModel, readModel, type ModelFile } from "../model/modelFile.ts";
import { scoreTable } from "../model/score.ts";
import { dataFilePath, projectRoot } from "../paths.ts";
import { analyze } from "../report/analyze.ts";
import { parseFlags, userPath, type CommandIO } from "./command.ts";
import { checkedOut, writeAtomically } from "./outputFile.ts";

export const SCORE_USAGE = `Usage: npm run --silent score -- (--model FILE | --dataset NAME) [options]

Assigns customers to the segments of a model and prints JSON on stdout:
{rows, ids, labels, probabilities?, snapshot, notes, model}. labels are the run's labels as
npm run segment prints them (0..k-1; -1 = noise, DBSCAN only); model.segments maps each label to
the segment number the site and the export show (1 = the largest when the model was fitted), its
name and action. probabilities (Gaussian mixtures) give each customer's probability of every label.

  --model FILE        a model.json: published with each report (dist/<dataset>/… model.json), or
                      written by --save-model
  --dataset NAME      fit the dataset of data/manifest.json as the report does, and use that model
  --input FILE        the customers to score: a file laid out as the model's training file
                      (default with --dataset: the dataset's own file)
  --snapshot DATE     transaction logs: the first day not observed, YYYY-MM-DD (default: the day
                      after the last purchase in the input)
  --save-model FILE   with --dataset: also write the model (not into dist/, src/ or data/)

New customers are prepared as the training customers were: missing values get the training
median or most common value, categories never seen in training match no category, and no row is
dropped. See "The model file" in the README.
`;

const OPTIONS = {
  help: { type: "boolean" },
  model: { type: "string" },
  dataset: { type: "string" },
  input: { type: "string" },
  snapshot: { type: "string" },
  "save-model": { type: "string" }
} as const;

export function scoreCommand(argv: string[], io: CommandIO): void {
  const v = parseFlags(argv, OPTIONS);
  if (v.help) return io.out(SCORE_USAGE);
  const modelPath = typeof v.model === "string" ? v.model : undefined;
  const dataset = typeof v.dataset === "string" ? v.dataset : undefined;
  if ((modelPath === undefined) === (dataset === undefined)) {
    throw new WorkbenchError("give either --model or --dataset", { hint: "--model FILE scores with a saved model; --dataset NAME fits the dataset first" });
  }
  if (typeof v["save-model"] === "string" && dataset === undefined) {
    throw new WorkbenchError("--save-model needs --dataset", { hint: "A model is saved from a fit: npm run --silent score -- --dataset NAME --save-model model.json" });
  }
  if (modelPath !== undefined && typeof v.input !== "string") {
    throw new WorkbenchError("--input is required with --model", { hint: "Name the file of customers to score, e.g. --input new-customers.csv" });
  }
  if (typeof v.snapshot === "string") parseSnapshot(v.snapshot);
  const savePath = typeof v["save-model"] === "string" ? checkedOut(userPath(io, v["save-model"]), "--save-model") : undefined;

  let model: ModelFile;
  let inputPath: string;
  if (dataset !== undefined) {
    const entry = findDataset(loadManifest(), dataset);
    model = buildModel(analyze(entry, (m) => io.err(`  ${m}\n`)));
    if (savePath) writeAtomically(savePath, JSON.stringify(model), "the model");
    inputPath = typeof v.input === "string" ? userPath(io, v.input) : dataFilePath(entry.file, entry.name);
  } else {
    model = readModel(userPath(io, modelPath!), modelPath);
    inputPath = userPath(io, v.input as string);
  }
  if (typeof v.snapshot === "string" && model.entry.kind !== "transactions") {
    throw new WorkbenchError("--snapshot is for transaction logs only", { found: `the model's dataset "${model.dataset}" is a customer table` });
  }
  const shown = relative(projectRoot(), inputPath) || inputPath;
  io.err(`scoring ${shown} with ${model.run.id} of "${model.dataset}" (model ${model.modelVersion})\n`);
  const scored = scoreTable(model, readInput(model, inputPath, shown), { snapshot: v.snapshot as string | undefined });
  for (const note of scored.notes) io.err(`note: ${note}\n`);
  const out = {
    rows: scored.rows,
    ids: scored.ids,
    labels: scored.labels,
    ...(scored.probabilities ? { probabilities: scored.probabilities } : {}),
    snapshot: scored.snapshot,
    notes: scored.notes,
    model: { dataset: model.dataset, modelVersion: model.modelVersion, run: model.run.id, segments: model.segments }
  };
  io.out(JSON.stringify(out) + "\n");
}

/** The file to score, read as the model's training file was; a missing column is named as the model's. */
function readInput(model: ModelFile, path: string, shown: string): DatasetTable {
  try {
    return readDataset({ ...model.entry, file: shown }, path);
  } catch (error) {
    const column = error instanceof WorkbenchError && /a column named in data\/manifest\.json is not in the file/.test(error.message) ? /column "([^"]+)"/.exec(error.message)?.[1] : undefined;
    if (column === undefined) throw error;
    const columns = Object.keys(model.entry.columns).join(", ");
    throw new WorkbenchError(`column "${column}" is missing: the model "${model.run.id}" of "${model.dataset}" was fitted on a file with the columns ${columns}`, {
      file: shown,
      hint: "Score a file laid out as the training file (same column names in the header)"
    });
  }
}
