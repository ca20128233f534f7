import { findDataset, loadManifest } from "../manifest/load.ts";
import { readDataset } from "../io/read.ts";

/** A dataset's row count, columns and data-quality counts, for its report. */
export function datasetSummary(name: string) {
  const entry = findDataset(loadManifest(), name);
  const data = readDataset(entry);
  return {
    name: entry.name,
    title: entry.title,
    description: entry.description,
    source: entry.source ?? null,
    kind: entry.kind,
    file: entry.file,
    rows: data.rows,
    columns: data.columns.map(({ name, role, type, missing }) => ({ name, role, type, missing }))
  };
}
