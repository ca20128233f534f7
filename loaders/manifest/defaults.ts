import type { Cadence, ExperimentOptions, PrepareOptions, SegmentTypeOptions, ValueOptions } from "./types.ts";

/** Defaults for every dataset; a manifest entry's "prepare" and "experiment" override them. */
export const DEFAULT_PREPARE: PrepareOptions = {
  missing: "median",
  outlierRule: "iqr",
  outliers: "keep",
  transform: "none",
  scale: "zscore"
};

export const DEFAULT_EXPERIMENT: ExperimentOptions = {
  seed: 42
};

export const DEFAULT_DATE_FORMAT = "YYYY-MM-DD";

/** Value models: weekly like Fader & Hardie; CLV as revenue (margin 1) discounted at 10% a year. */
export const DEFAULT_VALUE: ValueOptions = {
  period: "week",
  margin: 1,
  annualDiscountRate: 0.1
};

/** CLV horizon when none is set: one year in the model's period. */
export function defaultHorizon(period: ValueOptions["period"]): number {
  return period === "week" ? 52 : 365;
}

/**
 * Segment types as marketers use them: the top 20% by value (the Pareto rule of thumb), churn
 * at even odds, lapsed at twice the usual gap, a majority of spend in one category, the top
 * quintile of deal use, new within a quarter, inactive for half a year.
 */
export const DEFAULT_SEGMENT_TYPES: SegmentTypeOptions = {
  highValueShare: 0.2,
  aliveBelow: 0.5,
  churnAtLeast: 0.5,
  churnIntervals: 2,
  categoryShare: 0.5,
  discountPercentile: 0.8,
  newDays: 90,
  inactiveDays: 180
};

/** Segments are reviewed once a quarter unless the manifest says otherwise ("refresh"). */
export const DEFAULT_REFRESH: Cadence = "quarterly";
