import { loadManifest } from "../manifest/load.ts";

/** The home page's list of datasets. */
export function datasetList() {
  return loadManifest().datasets.map((d) => ({
    name: d.name,
    title: d.title,
    description: d.description,
    kind: d.kind,
    source: d.source ?? null
  }));
}
