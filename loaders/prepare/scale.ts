/**
 * Feature scaling, matching scikit-learn so results can be checked against it:
 * - zscore: StandardScaler — (x − mean) / σ, population σ (ddof = 0); σ = 0 → 1
 * - minmax: MinMaxScaler — (x − min) / (max − min); range 0 → 1
 * - robust: RobustScaler — (x − median) / (Q3 − Q1), numpy linear quartiles; IQR 0 → 1
 * - none: unchanged
 * The "→ 1" cases are sklearn's _handle_zeros_in_scale: a constant column is centred, not divided by 0.
 */
import { mean, minMax, quantiles, std } from "./stats.ts";

export type ScaleKind = "zscore" | "minmax" | "robust" | "none";

export interface ScaleParams {
  /** Subtracted first. */
  center: number;
  /** Then divided by. */
  scale: number;
}

export function scaleParams(values: Float64Array, kind: ScaleKind): ScaleParams {
  switch (kind) {
    case "zscore": {
      const mu = mean(values);
      return { center: mu, scale: nonZero(std(values, mu)) };
    }
    case "minmax": {
      const { min, max } = minMax(values);
      return { center: min, scale: nonZero(max - min) };
    }
    case "robust": {
      const [q1, med, q3] = quantiles(values, [0.25, 0.5, 0.75]);
      return { center: med, scale: nonZero(q3 - q1) };
    }
    case "none":
      return { center: 0, scale: 1 };
  }
}

export function scaledValue(v: number, p: ScaleParams): number {
  return (v - p.center) / p.scale;
}

function nonZero(s: number): number {
  return s === 0 || !Number.isFinite(s) ? 1 : s;
}
