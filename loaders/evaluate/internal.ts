/**
 * All internal (label-free) metrics of one clustering in one call. Noise rows (label -1) are
 * left out of every metric and counted in `noise`; `k` counts segments without noise.
 */
import type { FeatureMatrix } from "../matrix.ts";
import type { Rng } from "../rng.ts";
import { calinskiHarabaszFromStats } from "./calinskiHarabasz.ts";
import { segmentStats } from "./centroids.ts";
import { daviesBouldinFromStats } from "./daviesBouldin.ts";
import { inertiaFromStats, type InertiaResult } from "./inertia.ts";
import { silhouettesOfSegments, type PickMap, type SilhouetteOptions, type SilhouetteResult } from "./silhouette.ts";

export { METRIC_DIRECTION } from "./direction.ts";

export interface InternalMetrics {
  /** Within-segment sum of squares (lower is better at equal k). */
  inertia: number;
  /** Mean silhouette, −1..1 (higher is better); null when undefined, see reasons. */
  silhouette: number | null;
  /** Davies–Bouldin (lower is better); null when undefined. */
  daviesBouldin: number | null;
  /** Calinski–Harabasz (higher is better); null when undefined. */
  calinskiHarabasz: number | null;
  /** Rows with label -1, left out of every metric. */
  noise: number;
  /** Segments, noise excluded. */
  k: number;
  /** Why a metric is null, by metric name. */
  reasons: { silhouette?: string; daviesBouldin?: string; calinskiHarabasz?: string };
  silhouetteDetail: SilhouetteResult;
  inertiaDetail: InertiaResult;
}

export function internalMetrics(
  matrix: FeatureMatrix,
  labels: ArrayLike<number>,
  rng: Rng,
  opts: SilhouetteOptions = {}
): InternalMetrics {
  return internalMetricsOfRuns(matrix, [{ labels, rng }], opts)[0];
}

/**
 * internalMetrics of several labellings of one matrix (a grid's runs), each with its own
 * generator: the same numbers, with the silhouettes' pairwise distances measured once for all
 * (silhouettesOfSegments). `progress` gets the share of the silhouettes' work done; `mapPicks`
 * computes the samples measured one by one (a grid's helper thread shares them).
 */
export function internalMetricsOfRuns(
  matrix: FeatureMatrix,
  runs: readonly { labels: ArrayLike<number>; rng: Rng }[],
  opts: SilhouetteOptions = {},
  progress?: (fraction: number) => void,
  mapPicks?: PickMap
): InternalMetrics[] {
  const stats = runs.map((r) => segmentStats(matrix, r.labels));
  const silhouettes = silhouettesOfSegments(matrix, stats.map((s, i) => ({ seg: s.seg, rng: runs[i].rng })), opts, progress, mapPicks);
  return stats.map((st, i) => {
    const inertiaDetail = inertiaFromStats(st);
    const db = daviesBouldinFromStats(st);
    const ch = calinskiHarabaszFromStats(st);
    const sil = silhouettes[i];
    const reasons: InternalMetrics["reasons"] = {};
    if (sil.reason) reasons.silhouette = sil.reason;
    if (db.reason) reasons.daviesBouldin = db.reason;
    if (ch.reason) reasons.calinskiHarabasz = ch.reason;
    return {
      inertia: inertiaDetail.total,
      silhouette: sil.mean,
      daviesBouldin: db.value,
      calinskiHarabasz: ch.value,
      noise: st.seg.noise,
      k: st.seg.k,
      reasons,
      silhouetteDetail: sil,
      inertiaDetail
    };
  });
}
