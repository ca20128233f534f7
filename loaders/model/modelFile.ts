/**
 * The saved segmentation of a dataset: everything needed to put a new customer in a segment
 * (how the file is read, the fitted preparation, the segment model, the segment names and
 * actions) and nothing about any one customer, so it is published beside the report. The one
 * exception is DBSCAN, whose model is its core customers' feature rows: those models are written
 * for local use only (`npm run score -- --dataset NAME --save-model FILE`), never published.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { predictSegments, type SegmentModel } from "../cluster/segmentModel.ts";
import { WorkbenchError } from "../errors.ts";
import type { DatasetEntry } from "../manifest/types.ts";
import type { FittedPreparation } from "../prepare/fitted.ts";
import type { Analysis } from "../report/analyze.ts";

export const MODEL_FORMAT = "segmentation-workbench model";
/** Raised when a model file written by an older version can no longer be read as it was meant. */
export const MODEL_VERSION = 1;

export interface ModelFile {
  format: typeof MODEL_FORMAT;
  version: number;
  /** Changes when the data, its manifest entry or the run changes (the export's model_version too). */
  modelVersion: string;
  dataset: string;
  /** How the data file is read: the manifest entry (its roles as the reader inferred them), without the file. */
  entry: Omit<DatasetEntry, "file">;
  /** sha256 of the data file and its manifest entry, as the report's. */
  fingerprint: string;
  /** Transaction logs: the snapshot the features were computed at (the first day not observed). */
  snapshot: string | null;
  preparation: FittedPreparation;
  run: { id: string; algorithm: string; params: Record<string, unknown> };
  segmentModel: SegmentModel;
  /** Per run label (as `npm run segment` prints labels): the segment number shown on the site and in the export (1 = the largest), its name and action. */
  segments: Array<{ label: number; segment: number; name: string; action: string; share: number }>;
  /** Training customers, and the share whose predicted segment is the fitted one (1 but for hierarchical and DBSCAN borders). */
  training: { customers: number; agreement: number };
}

/** Short id of a segmentation: the data and manifest (fingerprint) and the run. */
export function modelVersion(fingerprint: string, runId: string): string {
  return createHash("sha256").update(`${fingerprint}\0${runId}`).digest("hex").slice(0, 16);
}

/** The model of an analysed dataset's chosen run. */
export function buildModel(a: Analysis): ModelFile {
  const s = a.segmentation;
  const run = s.run;
  const { prepared } = a.data;
  const predicted = predictSegments(run.segmentModel, prepared.matrix).labels;
  let same = 0;
  for (let i = 0; i < predicted.length; i++) if (predicted[i] === run.labels[i]) same++;
  const n = prepared.matrix.n;
  const { file: _file, ...entry } = a.data.entry;
  return {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    modelVersion: modelVersion(a.fingerprint, run.id),
    dataset: a.entry.name,
    entry,
    fingerprint: a.fingerprint,
    snapshot: a.data.transactions?.snapshot ?? null,
    preparation: prepared.fitted,
    run: { id: run.id, algorithm: run.algorithm, params: run.params },
    segmentModel: run.segmentModel,
    segments: Array.from({ length: run.k }, (_, label) => {
      const segment = s.rank[label];
      return { label: label, segment: segment + 1, name: s.names[segment], action: s.actions[segment], share: s.sizes[segment] / n };
    }),
    training: { customers: n, agreement: n ? same / n : 1 }
  };
}

/** Whether the model can be published: every model but DBSCAN's holds aggregates only. */
export function publishable(model: ModelFile): boolean {
  return model.segmentModel.kind !== "density";
}

/** Reads and checks a model file written by buildModel. */
export function readModel(path: string, shown = path): ModelFile {
  let model: ModelFile;
  try {
    model = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    throw new WorkbenchError(e.code === "ENOENT" ? "model file not found" : e.code ? `cannot read the model file (${e.code})` : "the model file is not valid JSON", {
      file: shown,
      hint: "Give the model.json of a report (dist/<dataset>/…/model.json) or one written by --save-model"
    });
  }
  if (model?.format !== MODEL_FORMAT) {
    throw new WorkbenchError("not a segmentation model file", { file: shown, expected: `"format": "${MODEL_FORMAT}"`, hint: "Give a model.json written by this workbench" });
  }
  if (model.version !== MODEL_VERSION) {
    throw new WorkbenchError(`model file version ${model.version} is not supported`, {
      file: shown,
      expected: `version ${MODEL_VERSION}`,
      hint: "Rebuild the report (npm run build) or save the model again with this version of the workbench"
    });
  }
  return model;
}
