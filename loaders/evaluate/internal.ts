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
import { silhouetteOfSegments, type SilhouetteOptions, type SilhouetteResult } from "./silhouette.ts";

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
  const stats = segmentStats(matrix, labels);
  const inertiaDetail = inertiaFromStats(stats);
  const db = daviesBouldinFromStats(stats);
  const ch = calinskiHarabaszFromStats(stats);
  const sil = silhouetteOfSegments(matrix, stats.seg, rng, opts);
  const reasons: InternalMetrics["reasons"] = {};
  if (sil.reason) reasons.silhouette = sil.reason;
  if (db.reason) reasons.daviesBouldin = db.reason;
  if (ch.reason) reasons.calinskiHarabasz = ch.reason;
  return {
    inertia: inertiaDetail.total,
    silhouette: sil.mean,
    daviesBouldin: db.value,
    calinskiHarabasz: ch.value,
    noise: stats.seg.noise,
    k: stats.seg.k,
    reasons,
    silhouetteDetail: sil,
    inertiaDetail
  };
}
