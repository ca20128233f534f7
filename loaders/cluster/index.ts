/** Registry of the clustering algorithms, by the name used in manifests and reports. */
import { dbscan } from "./dbscan.ts";
import { gmm } from "./gmm.ts";
import { hierarchical } from "./hierarchical.ts";
import { kmeans } from "./kmeans.ts";
import type { AlgorithmName, Clusterer } from "./types.ts";

export const clusterers: Record<AlgorithmName, Clusterer<any>> = { kmeans, hierarchical, dbscan, gmm };
