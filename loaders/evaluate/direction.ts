/** Which way each metric points, from the metric registry (registry/metrics.ts). */
import { METRICS, type MetricName } from "../registry/metrics.ts";

export type Direction = "higher" | "lower";
export type { MetricName };

export const METRIC_DIRECTION = Object.fromEntries(Object.entries(METRICS).map(([name, m]) => [name, m.direction])) as {
  [M in MetricName]: (typeof METRICS)[M]["direction"];
};
