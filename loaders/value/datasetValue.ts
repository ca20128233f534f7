/**
 * The value models for a transaction log as the report uses them: two fits of fitValueModels.
 * - validation: calibrated up to calibrationEnd and checked against the holdout that follows
 *   (the manifest's dates; without them, the last third of the log is held out);
 * - current: calibrated on the whole log, up to its last day, for each customer's P(alive),
 *   expected purchases over the horizon, expected spend and CLV as of now. Predictions as of
 *   the calibration end would be out of date by the length of the holdout.
 * A log the models cannot be fitted to (no repeat purchases, too few customers) gives the
 * reason instead of stopping the report.
 */
import { WorkbenchError } from "../errors.ts";
import type { CustomerFeatures } from "../features/rfm.ts";
import { formatDay } from "../features/rfm.ts";
import { defaultHorizon } from "../manifest/defaults.ts";
import type { ValueOptions } from "../manifest/types.ts";
import { fitValueModels, type ValueModelsResult, type ValueSettings } from "./fit.ts";

/** The share of the log held out when the manifest sets no calibration end. */
export const HOLDOUT_SHARE = 1 / 3;

export interface DatasetValue {
  /** The settings used, dates resolved; `split` says where the calibration end came from. */
  settings: ValueSettings & { calibrationEnd: string; holdoutEnd: string | null; split: "manifest" | "automatic" };
  /** The calibration fit and its holdout check; null (with `validationSkipped`) when it could not be fitted. */
  validation: ValueModelsResult | null;
  validationSkipped: string | null;
  /** The fit on the whole log: each customer's value now. */
  current: ValueModelsResult;
}

/** Resolved settings of the value models for a log whose purchases span firstDay..lastDay. */
export function valueSettings(options: ValueOptions, firstDay: number, lastDay: number): DatasetValue["settings"] {
  const periodDays = options.period === "day" ? 1 : 7;
  const base = { periodDays, horizon: options.horizon ?? defaultHorizon(options.period), margin: options.margin, annualDiscountRate: options.annualDiscountRate } as const;
  if (options.calibrationEnd !== undefined) {
    return { ...base, calibrationEnd: options.calibrationEnd, holdoutEnd: options.holdoutEnd ?? formatDay(lastDay), split: "manifest" };
  }
  const calibrationEnd = firstDay + Math.floor((lastDay - firstDay) * (1 - HOLDOUT_SHARE));
  return { ...base, calibrationEnd: formatDay(calibrationEnd), holdoutEnd: formatDay(lastDay), split: "automatic" };
}

/** Both fits for a log's purchases; throws (WorkbenchError) only when even the whole log cannot be fitted. */
export function datasetValue(features: CustomerFeatures, ids: readonly string[], options: ValueOptions): DatasetValue {
  const { day } = features.purchases;
  let first = Infinity;
  let last = -Infinity;
  for (let i = 0; i < day.length; i++) {
    if (day[i] < first) first = day[i];
    if (day[i] > last) last = day[i];
  }
  const settings = valueSettings(options, first, last);
  const { holdoutEnd, split: _split, ...fit } = settings;
  const current = fitValueModels(features.purchases, ids, { ...fit, calibrationEnd: formatDay(last), logEnd: last });
  let validation: ValueModelsResult | null = null;
  let validationSkipped: string | null = null;
  if (settings.calibrationEnd >= formatDay(last)) {
    validationSkipped = `the calibration period (to ${settings.calibrationEnd}) covers the whole log, so nothing is left to check the models against`;
  } else {
    try {
      validation = fitValueModels(features.purchases, ids, { ...fit, holdoutEnd: holdoutEnd ?? undefined, logEnd: last });
    } catch (error) {
      if (!(error instanceof WorkbenchError)) throw error;
      validationSkipped = error.message;
    }
  }
  return { settings, validation, validationSkipped, current };
}
