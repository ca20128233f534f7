import type { FeatureMatrix } from "../matrix.ts";

export interface FeatureProfile {
  feature: string;
  /** Segment mean in original units. */
  mean: number;
  /** Mean over all customers. */
  overall: number;
  /** Standardized difference: (segment mean − overall mean) / overall standard deviation. */
  z: number;
}

/**
 * Per-segment means against the overall mean, in original units, with the standardized
 * difference that the heatmap shows (0 where a feature is constant). Missing values (NaN) are
 * skipped. Noise rows are left out of the segments but count in the overall statistics.
 */
export function segmentProfiles(m: FeatureMatrix, labels: Int32Array, k: number): FeatureProfile[][] {
  const { n, d, data, names } = m;
  const sum = new Float64Array(d);
  const sq = new Float64Array(d);
  const cnt = new Float64Array(d);
  const segSum = new Float64Array(k * d);
  const segCnt = new Float64Array(k * d);
  for (let i = 0; i < n; i++) {
    const l = labels[i];
    for (let j = 0; j < d; j++) {
      const x = data[i * d + j];
      if (Number.isNaN(x)) continue;
      sum[j] += x;
      sq[j] += x * x;
      cnt[j]++;
      if (l >= 0) {
        segSum[l * d + j] += x;
        segCnt[l * d + j]++;
      }
    }
  }
  const mean = Array.from(sum, (s, j) => s / cnt[j]);
  const sd = Array.from(sq, (s, j) => Math.sqrt(Math.max(0, s / cnt[j] - mean[j] * mean[j])));
  return Array.from({ length: k }, (_, s) =>
    names.map((feature, j) => {
      const segMean = segSum[s * d + j] / segCnt[s * d + j];
      const spread = sd[j] > 1e-12 * Math.max(1, Math.abs(mean[j]));
      return { feature, mean: segMean, overall: mean[j], z: spread && Number.isFinite(segMean) ? (segMean - mean[j]) / sd[j] : 0 };
    })
  );
}
