import type { ExperimentOptions, PrepareOptions } from "./types.ts";

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
