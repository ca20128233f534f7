/**
 * `npm run --silent value -- ...`: who is worth what and who is leaving, headless.
 * - A transaction log: BG/NBD, Pareto/NBD and Gamma-Gamma calibrated up to --calibration-end
 *   (default: the log's last day), checked against the holdout to --holdout-end, with each
 *   customer's P(alive), expected purchases (over the holdout, else the horizon), expected
 *   spend and CLV.
 * - A customer table with an outcome column: both outcome models cross-validated, and each
 *   customer's out-of-fold probability.
 * One JSON document on stdout; progress and notes on stderr.
 */
import { WorkbenchError } from "../errors.ts";
import { loadDataset, logFeatures, preparationNotes } from "../experiment/pipeline.ts";
import { formatDay, parseSnapshot } from "../features/rfm.ts";
import { openSource } from "../source/open.ts";
import { DEFAULT_VALUE, defaultHorizon } from "../manifest/defaults.ts";
import type { DatasetEntry, ValueOptions } from "../manifest/types.ts";
import { predictOutcome } from "../outcome/predictOutcome.ts";
import { Rng } from "../rng.ts";
import { fitValueModels } from "../value/fit.ts";
import { integerFlag, parseFlags, type CommandIO } from "./command.ts";
import { given, INPUT_OPTIONS, INPUT_USAGE, inputEntry, withInputErrors, type InputFile } from "./inputArgs.ts";

export const VALUE_USAGE = `Usage: npm run --silent value -- (--dataset NAME | --input FILE [column options]) [options]

${INPUT_USAGE}
Transaction logs (value models; with --dataset these override the manifest's "value" section)
  --calibration-end DATE    last day the models learn from, YYYY-MM-DD (default: the log's last day)
  --holdout-end DATE        last day of the holdout the models are checked against (needs --calibration-end)
  --period day|week         the models' time unit (default week)
  --horizon N               CLV horizon in periods (default one year: 52 weeks or 365 days)
  --margin M                share of revenue that is margin, in (0, 1] (default 1: CLV as revenue)
  --discount-rate R         annual discount rate (default 0.1)

Customer tables (outcome models): --outcome COL [--positive VALUE] (or a manifest dataset with an
outcome column); --seed S (default 42, or the manifest's) draws the cross-validation folds.

Output: one JSON document on stdout.
  transaction log: {customers, period, calibrationEnd, holdoutEnd, notes, bgnbd: {r, alpha, a, b,
  logLikelihood, bic, standardErrors}, pnbd: {r, alpha, s, beta, ...}, chosen, rule, gammaGamma: {p,
  q, v, customers} | null, holdout: {periods, actual, predicted, meanAbsoluteError, correlation,
  byFrequency} | null, clv: {...}, rows: [{id, x, tx, T, pAlive, expected, averageValue, clv, actual}]}
  (x, tx and T in periods; expected over the holdout, else over the horizon).
  customer table: {n, outcome: {column, positive, rate, auc, prAuc, brier, model, folds, models},
  notes, rows: [{id, probability}]} with out-of-fold probabilities.
`;

const OPTIONS = {
  help: { type: "boolean" },
  ...INPUT_OPTIONS,
  "calibration-end": { type: "string" },
  "holdout-end": { type: "string" },
  period: { type: "string" },
  horizon: { type: "string" },
  margin: { type: "string" },
  "discount-rate": { type: "string" },
  seed: { type: "string" }
} as const;

const VALUE_FLAGS = ["calibration-end", "holdout-end", "period", "horizon", "margin", "discount-rate"] as const;

export async function valueCommand(argv: string[], io: CommandIO): Promise<void> {
  const v = parseFlags(argv, OPTIONS) as Partial<Record<keyof typeof OPTIONS, string>> & { help?: boolean };
  if (v.help) {
    io.out(VALUE_USAGE);
    return;
  }
  const { entry, input } = inputEntry(v, io, VALUE_FLAGS);
  const [misplaced] = given(v, VALUE_FLAGS);
  if (entry.kind !== "transactions" && misplaced) {
    throw new WorkbenchError(`--${misplaced} is for transaction logs only`, { hint: `Dataset "${entry.name}" is a customer table: its value model predicts its outcome column` });
  }
  if (v.seed !== undefined) entry.experiment.seed = integerFlag(v.seed, "--seed");
  const result = await (entry.kind === "transactions" ? transactionValue(entry, valueOptions(entry, v), input, io) : outcomeValue(entry, input, io));
  io.out(JSON.stringify(result) + "\n");
}

/** The manifest's value settings (or the defaults) with the flags applied, checked as the manifest checks them. */
function valueOptions(entry: DatasetEntry, v: Partial<Record<string, string>>): ValueOptions {
  const options: ValueOptions = { ...(entry.value ?? DEFAULT_VALUE) };
  const date = (flag: string) => {
    try {
      return formatDay(parseSnapshot(v[flag]!));
    } catch {
      throw new WorkbenchError(`--${flag}: invalid date`, { found: v[flag], expected: "YYYY-MM-DD, e.g. 1997-09-30" });
    }
  };
  const number = (flag: string, ok: (x: number) => boolean, expected: string) => {
    const x = Number(v[flag]);
    if (!Number.isFinite(x) || !ok(x)) throw new WorkbenchError(`--${flag} must be ${expected}`, { found: v[flag] });
    return x;
  };
  if (v["calibration-end"] !== undefined) {
    options.calibrationEnd = date("calibration-end");
    // A new calibration end makes the manifest's holdout end meaningless unless given again.
    delete options.holdoutEnd;
  }
  if (v["holdout-end"] !== undefined) {
    if (options.calibrationEnd === undefined) throw new WorkbenchError("--holdout-end needs --calibration-end", { hint: "The holdout starts the day after the calibration end" });
    options.holdoutEnd = date("holdout-end");
    if (options.holdoutEnd <= options.calibrationEnd) {
      throw new WorkbenchError("--holdout-end must be after --calibration-end", { found: options.holdoutEnd, expected: `a date after ${options.calibrationEnd}` });
    }
  }
  if (v.period !== undefined) {
    if (v.period !== "day" && v.period !== "week") throw new WorkbenchError("--period: unknown value", { found: v.period, expected: "day or week" });
    if (options.period !== v.period && v.horizon === undefined) delete options.horizon;
    options.period = v.period;
  }
  if (v.horizon !== undefined) options.horizon = integerFlag(v.horizon, "--horizon", 1);
  if (v.margin !== undefined) options.margin = number("margin", (x) => x > 0 && x <= 1, "a share in (0, 1], e.g. 0.3");
  if (v["discount-rate"] !== undefined) options.annualDiscountRate = number("discount-rate", (x) => x >= 0 && x <= 10, "an annual rate ≥ 0, e.g. 0.1");
  return options;
}

async function transactionValue(entry: DatasetEntry, options: ValueOptions, input: InputFile | undefined, io: CommandIO) {
  const log = await withInputErrors(entry, input, (path) => openSource(entry, { path, purchases: true }));
  const features = logFeatures(log, entry.experiment.snapshot);
  const notes = [...features.report.notes];
  const ids = features.dataset.table.array(features.dataset.columns.find((c) => c.role === "id")!.name) as string[];
  let last = -Infinity;
  for (const day of features.purchases.day) last = Math.max(last, day);
  const calibrationEnd = options.calibrationEnd ?? formatDay(last);
  io.err(`fitting the value models on ${ids.length} customers, calibration to ${calibrationEnd}${options.holdoutEnd ? `, holdout to ${options.holdoutEnd}` : ""}\n`);
  const fit = fitValueModels(features.purchases, ids, {
    periodDays: options.period === "day" ? 1 : 7,
    calibrationEnd,
    holdoutEnd: options.holdoutEnd,
    horizon: options.horizon ?? defaultHorizon(options.period),
    margin: options.margin,
    annualDiscountRate: options.annualDiscountRate,
    logEnd: last
  });
  notes.push(...fit.notes);
  for (const note of notes) io.err(`note: ${note}\n`);
  const holdout = fit.holdout?.[fit.chosen];
  const { r, alpha, a, b, logLikelihood, bic, standardErrors } = fit.bgnbd;
  const p = fit.pnbd;
  return {
    customers: fit.customers,
    period: fit.period.unit,
    calibrationEnd,
    holdoutEnd: fit.holdoutPeriod?.end ?? null,
    notes,
    bgnbd: { r, alpha, a, b, logLikelihood, bic, standardErrors },
    pnbd: { r: p.r, alpha: p.alpha, s: p.s, beta: p.beta, logLikelihood: p.logLikelihood, bic: p.bic, standardErrors: p.standardErrors },
    chosen: fit.chosen,
    rule: fit.rule,
    gammaGamma: fit.gammaGamma,
    holdout: holdout
      ? { periods: holdout.periods, actual: holdout.actual, predicted: holdout.expected, meanAbsoluteError: holdout.meanAbsoluteError, correlation: holdout.correlation, byFrequency: holdout.byFrequency }
      : null,
    clv: fit.clv,
    rows: fit.rows
  };
}

async function outcomeValue(entry: DatasetEntry, input: InputFile | undefined, io: CommandIO) {
  const data = await withInputErrors(entry, input, (path) => loadDataset(entry, { path }));
  const analysis = predictOutcome(data, new Rng(entry.experiment.seed));
  if (!analysis) {
    throw new WorkbenchError(input ? "no outcome column: value models for a customer table predict an outcome" : `dataset "${entry.name}" has no outcome column`, {
      hint: input ? "Give --outcome COL (and --positive VALUE), or --customer, --date and --amount for a transaction log" : 'Give a column the role "outcome" in data/manifest.json, e.g. "Churn": {"role": "outcome", "positive": "Yes"}'
    });
  }
  const notes = [...preparationNotes(data), ...analysis.notes];
  for (const note of notes) io.err(`note: ${note}\n`);
  const { model } = analysis;
  const chosen = model.models[model.chosen];
  const summary = (m: typeof chosen) => ({ auc: m.rocAuc, prAuc: m.averagePrecision, brier: m.brier, foldAuc: m.foldRocAuc });
  const rows = [];
  for (let i = 0; i < analysis.y.length; i++) {
    if (analysis.y[i] >= 0) rows.push({ id: data.prepared.ids[i], probability: analysis.probability[i] });
  }
  return {
    n: model.n,
    outcome: {
      column: analysis.column,
      positive: analysis.positive,
      rate: model.rate,
      ...summary(chosen),
      model: model.chosen,
      folds: model.folds,
      models: { logistic: summary(model.models.logistic), boosting: summary(model.models.boosting) }
    },
    notes,
    rows
  };
}
