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
  /** How a file of new customers is read: the columns the model needs with their roles, the format. */
  entry: ReadingEntry;
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

/**
 * What reading needs of a manifest entry. Columns: a table's feature and id columns; a log's
 * transaction columns. Nothing else (no other file names, no outcome, no snapshots).
 */
export type ReadingEntry = Pick<DatasetEntry, "name" | "title" | "kind" | "format" | "columns" | "dateFormat" | "missingValues" | "header"> &
  Partial<Pick<DatasetEntry, "encoding" | "cancellations">>;

const TRANSACTION_ROLES = new Set(["id", "date", "amount", "quantity", "price", "invoice"]);

function readingEntry(a: Analysis): ReadingEntry {
  const e = a.data.entry;
  const columns =
    e.kind === "customers"
      ? Object.fromEntries(a.data.prepared.fitted.columns.map((c) => [c.name, c.role]))
      : Object.fromEntries(Object.entries(e.columns).filter(([, role]) => TRANSACTION_ROLES.has(role)));
  return {
    name: e.name,
    title: e.title,
    kind: e.kind,
    format: e.format,
    columns,
    dateFormat: e.dateFormat,
    missingValues: e.missingValues,
    header: e.header,
    ...(e.encoding ? { encoding: e.encoding } : {}),
    ...(e.cancellations ? { cancellations: e.cancellations } : {})
  };
}

/** The entry a file of new customers is read with: the model's reading entry for `file`. */
export function scoringEntry(model: ModelFile, file: string, without: string[] = []): DatasetEntry {
  const columns = Object.fromEntries(Object.entries(model.entry.columns).filter(([name]) => !without.includes(name)));
  return { ...model.entry, columns, file, description: "", otherColumns: "ignore", refresh: "quarterly", prepare: model.preparation.options, experiment: { seed: 0 } };
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
  return {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    modelVersion: modelVersion(a.fingerprint, run.id),
    dataset: a.entry.name,
    entry: readingEntry(a),
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
      hint: "Give the model.json of a report (dist/_file/data/<dataset>/report/model.<hash>.json, the Overview's \"the model\") or one written by --save-model"
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
  const problem = modelProblem(model);
  if (problem) {
    throw new WorkbenchError(`the model file is damaged: ${problem}`, {
      file: shown,
      hint: "Take model.json from a fresh build, or save it again: npm run --silent score -- --dataset NAME --save-model FILE"
    });
  }
  return model;
}

/** What is wrong with a parsed model file's shape, or null: a hand edit must not give wrong segments silently. */
export function modelProblem(m: ModelFile): string | null {
  const finite = (x: unknown) => typeof x === "number" && Number.isFinite(x);
  const numbers = (x: unknown, length?: number) => Array.isArray(x) && x.every(finite) && (length === undefined || x.length === length);
  const e = m.entry as Partial<ReadingEntry> | undefined;
  if (!e || (e.kind !== "customers" && e.kind !== "transactions") || typeof e.columns !== "object" || e.columns === null) return '"entry" is missing or has no kind and columns';
  if (!["csv", "tsv", "whitespace", "parquet", "sql"].includes(e.format as string)) return `"entry.format" is ${JSON.stringify(e.format)}, not csv, tsv, whitespace, parquet or sql`;
  const p = m.preparation as Partial<FittedPreparation> | undefined;
  if (!p || !Array.isArray(p.columns) || !Array.isArray(p.features) || !Array.isArray(p.scaling) || !p.options) return '"preparation" is missing its columns, features, scaling or options';
  const produced = new Set<string>();
  for (const f of p.features) {
    if (f?.kind === "number") {
      if (!finite(f.fill) || typeof f.cap !== "boolean" || typeof f.log1p !== "boolean" || !(f.lower === null || finite(f.lower)) || !(f.upper === null || finite(f.upper))) return `feature "${f.name}" has a bad fill, fence or transform`;
      produced.add(f.name);
    } else if (f?.kind === "category") {
      if (typeof f.fill !== "string" || !Array.isArray(f.categories) || !f.categories.every((c) => typeof c === "string")) return `feature "${f.name}" has a bad fill or categories`;
      for (const c of f.categories) produced.add(`${f.name}=${c}`);
    } else return "a feature has no kind";
  }
  for (const s of p.scaling) {
    if (!s || !produced.has(s.column) || !finite(s.center) || !finite(s.scale) || !(s.scale > 0)) return `matrix column "${s?.column}" has a bad centre or scale, or no feature makes it`;
  }
  const d = p.scaling.length;
  const sm = m.segmentModel as SegmentModel | undefined;
  let k = 0;
  if (sm?.kind === "centroids") {
    if (!Array.isArray(sm.centroids) || sm.centroids.length === 0 || !sm.centroids.every((c) => numbers(c, d))) return `the centroids are not ${d} numbers each`;
    k = sm.centroids.length;
  } else if (sm?.kind === "gaussian") {
    k = Array.isArray(sm.weights) ? sm.weights.length : 0;
    const cov = sm.covariances as unknown[];
    const covOk = sm.covariance === "full" ? cov?.every((c) => Array.isArray(c) && c.length === d && c.every((r) => numbers(r, d))) : cov?.every((c) => numbers(c, d));
    if (!k || !numbers(sm.weights) || sm.means?.length !== k || !sm.means.every((c) => numbers(c, d)) || cov?.length !== k || !covOk) return "the mixture's weights, means or covariances have the wrong shape";
  } else if (sm?.kind === "density") {
    if (!finite(sm.eps) || sm.eps <= 0 || !Array.isArray(sm.core) || !sm.core.every((c) => numbers(c, d)) || !numbers(sm.coreLabels, sm.core.length)) return "the density model's eps, core points or labels are malformed";
    k = Math.max(0, ...sm.coreLabels) + 1;
  } else return '"segmentModel" has no known kind (centroids, gaussian, density)';
  if (!Array.isArray(m.segments) || m.segments.length < k || !m.segments.every((s) => Number.isInteger(s?.label) && Number.isInteger(s?.segment) && typeof s?.name === "string")) return '"segments" does not name every segment';
  return null;
}
