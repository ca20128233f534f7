import type { ExperimentOptions, PrepareOptions, ValueOptions } from "./types.ts";

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
