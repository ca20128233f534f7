import { findDataset, loadManifest } from "../manifest/load.ts";
import { analyze } from "./analyze.ts";
import { compareFile } from "./compare.ts";
import { evaluationFile } from "./evaluation.ts";
import { experimentsFile } from "./experiments.ts";
import { overviewFile } from "./overview.ts";
import { SCATTER_POINTS, segmentsFile } from "./segments.ts";
import { tar } from "./tar.ts";
import { valueFile } from "./value.ts";
import { personasFile } from "./personas.ts";
import type { ReportFiles } from "./contract.ts";
import { driftFile } from "./drift.ts";
import { buildModel, publishable } from "../model/modelFile.ts";

/** The model beside the report, or why it is not published (DBSCAN's holds customers' rows). */
function publishableModel(a: Parameters<typeof buildModel>[0]): ReportFiles["model.json"] {
  const model = buildModel(a);
  return publishable(model) ? model : { unpublished: "DBSCAN's model is its core customers' rows; save it locally with npm run score -- --dataset NAME --save-model FILE" };
}

/**
 * A dataset's report as a tar archive: one JSON file per page. Framework serves each member
 * separately, so a page downloads only what it shows.
 */
export async function reportArchive(name: string, progress?: (m: string) => void): Promise<Buffer> {
  const a = await analyze(findDataset(loadManifest(), name), progress);
  progress?.(`${name}: pages, with a UMAP map of ${Math.min(SCATTER_POINTS, a.data.prepared.matrix.n).toLocaleString("en-US")} customers`);
  const files: ReportFiles = {
    "overview.json": overviewFile(a),
    "segments.json": segmentsFile(a, { progress: progress && ((m) => progress(`${name}: ${m}`)) }),
    "personas.json": personasFile(a),
    "value.json": valueFile(a),
    "compare.json": compareFile(a),
    "evaluation.json": evaluationFile(a),
    "experiments.json": experimentsFile(a),
    "drift.json": driftFile(a, progress),
    "model.json": publishableModel(a)
  };
  return tar(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, JSON.stringify(v)])));
}
