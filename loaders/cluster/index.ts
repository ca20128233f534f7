/** The clustering algorithms by name, as declared in the registry. */
import { ALGORITHMS } from "../registry/algorithms.ts";
import type { Clusterer } from "./types.ts";

export const clusterers: Record<string, Clusterer<any>> = Object.fromEntries(ALGORITHMS.map((a) => [a.name, a.clusterer]));
