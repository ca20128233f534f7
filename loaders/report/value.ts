import { valueConcentration } from "../profile/value.ts";
import type { OutcomeModelResult } from "../outcome/outcomeModel.ts";
import type { ValueModelsResult } from "../value/fit.ts";
import type { Analysis } from "./analyze.ts";
import { sig, sigDeep } from "./display.ts";

/** Frequency groups of the P(alive) grid: repeat purchases 0..6 and 7+ (as the BG/NBD paper's Figure 4). */
const FREQUENCY_GROUPS = 8;
/** Recency bins of the P(alive) grid, equal widths in periods since the last purchase. */
const RECENCY_BINS = 8;
/** Bars of the CLV histogram; values above the 99th percentile go in an extra last bar. */
const CLV_BINS = 30;

/**
 * Value page: for a transaction log, the value models (fit, holdout check, P(alive) by recency
 * and frequency, CLV distribution and concentration, value per segment); for a customer table
 * with an outcome, the outcome models (ROC, gains, calibration, rate per segment). Numbers
 * only: the page writes the sentences.
 */
export function valueFile(a: Analysis) {
  const names = a.segmentation.names;
  return {
    names,
    kind: a.entry.kind,
    value: a.value ? transactionValue(a) : null,
    valueSkipped: a.valueSkipped,
    outcome: a.outcome ? outcomeSection(a) : null
  };
}

function transactionValue(a: Analysis) {
  const { models, clv, segments } = a.value!;
  const { current, validation, settings } = models;
  return {
    settings,
    current: fitSummary(current),
    validation: validation ? { ...fitSummary(validation), holdout: sigDeep(validation.holdout), holdoutPeriod: validation.holdoutPeriod, tracking: sigDeep(validation.tracking) } : null,
    validationSkipped: models.validationSkipped,
    pAliveGrid: pAliveGrid(current),
    clv: clvDistribution(current),
    segments: sigDeep(segments),
    // Customers of the report the models do not cover (none, unless preparation dropped rows differently).
    unmodelled: clv.filter((v) => !Number.isFinite(v)).length
  };
}

/** What a fit found, without its per-customer rows. */
function fitSummary(r: ValueModelsResult) {
  const { rows: _rows, tracking: _tracking, holdout: _holdout, ...rest } = r;
  return sigDeep(rest);
}

/** Mean P(alive) by repeat purchases (0..6, 7+) and periods since the last purchase (T − tx). */
function pAliveGrid(r: ValueModelsResult) {
  let maxRecency = 0;
  for (const row of r.rows) maxRecency = Math.max(maxRecency, row.T - row.tx);
  const width = maxRecency > 0 ? maxRecency / RECENCY_BINS : 1;
  const count = new Float64Array(FREQUENCY_GROUPS * RECENCY_BINS);
  const sum = new Float64Array(FREQUENCY_GROUPS * RECENCY_BINS);
  for (const row of r.rows) {
    const f = Math.min(row.x, FREQUENCY_GROUPS - 1);
    const b = Math.min(Math.floor((row.T - row.tx) / width), RECENCY_BINS - 1);
    count[f * RECENCY_BINS + b]++;
    sum[f * RECENCY_BINS + b] += row.pAlive;
  }
  const cells = [];
  for (let f = 0; f < FREQUENCY_GROUPS; f++) {
    for (let b = 0; b < RECENCY_BINS; b++) {
      const c = count[f * RECENCY_BINS + b];
      if (c) cells.push({ frequency: f, recencyBin: b, customers: c, pAlive: sig(sum[f * RECENCY_BINS + b] / c, 3) });
    }
  }
  return {
    frequencyLabels: Array.from({ length: FREQUENCY_GROUPS }, (_, f) => (f === FREQUENCY_GROUPS - 1 ? `${f}+` : String(f))),
    recencyEdges: Array.from({ length: RECENCY_BINS + 1 }, (_, b) => sig(b * width, 3)),
    cells
  };
}

function clvDistribution(r: ValueModelsResult) {
  const values = Float64Array.from(r.rows, (row) => row.clv).sort();
  const n = values.length;
  const quantile = (p: number) => values[Math.min(n - 1, Math.floor(p * (n - 1)))];
  const cap = quantile(0.99) || values[n - 1] || 1;
  const width = cap / CLV_BINS;
  const counts = new Array<number>(CLV_BINS + 1).fill(0);
  for (const v of values) counts[v > cap ? CLV_BINS : Math.min(CLV_BINS - 1, Math.floor(v / width))]++;
  const concentration = valueConcentration(values);
  return {
    customers: n,
    total: sig(r.clv.total, 6),
    mean: sig(r.clv.total / n, 4),
    median: sig(quantile(0.5), 4),
    histogram: { width: sig(width, 4), counts: counts.slice(0, CLV_BINS), above: counts[CLV_BINS], cap: sig(cap, 4) },
    top10: sig(concentration.top10, 4),
    top20: sig(concentration.top20, 4),
    lorenz: { customerShare: concentration.customerShare, valueShare: concentration.valueShare.map((v) => sig(v, 4)) }
  };
}

function outcomeSection(a: Analysis) {
  const { analysis, segments } = a.outcome!;
  const model = (m: OutcomeModelResult["models"]["logistic"]) => sigDeep({ ...m, roc: { fpr: m.roc.fpr, tpr: m.roc.tpr } }, 4);
  const { model: result } = analysis;
  return {
    column: analysis.column,
    positive: analysis.positive,
    negatives: analysis.negatives,
    missing: analysis.missing,
    n: result.n,
    positives: result.positives,
    rate: sig(result.rate, 4),
    folds: result.folds,
    chosen: result.chosen,
    features: analysis.features.length,
    notes: analysis.notes,
    models: { logistic: model(result.models.logistic), boosting: model(result.models.boosting) },
    segments: sigDeep(segments, 4)
  };
}

/**
 * What a segment is worth, for the overview, segment cards and home page: mean CLV, share of
 * the predicted value and mean P(alive) (transaction logs), the outcome rate with its 95%
 * Wilson interval and lift (customer tables with an outcome); null where not modelled.
 */
export function segmentWorth(a: Analysis, segment: number) {
  const v = a.value?.segments[segment];
  const o = a.outcome?.segments.segments[segment];
  return {
    value: v ? { meanClv: v.meanClv === null ? null : sig(v.meanClv, 4), valueShare: v.valueShare === null ? null : sig(v.valueShare, 4), meanPAlive: v.meanPAlive === null ? null : sig(v.meanPAlive, 3) } : null,
    outcome: o ? { column: a.outcome!.analysis.column, rate: o.rate === null ? null : sig(o.rate, 4), low: o.low === null ? null : sig(o.low, 4), high: o.high === null ? null : sig(o.high, 4), lift: o.lift === null ? null : sig(o.lift, 3) } : null
  };
}
