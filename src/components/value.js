import * as Plot from "@observablehq/plot";
import {ACTUAL_COLOR, MODEL_COLORS, segmentColor, segmentName} from "./palette.js";

// Charts of the Value page: customer-base models (BG/NBD, Pareto/NBD, Gamma-Gamma, CLV) for
// transaction logs, outcome models for customer tables with an outcome column. Data first,
// options second, each returns a Plot figure; values from the data are drawn as SVG text.

export const COUNT_MODEL_NAMES = {bgnbd: "BG/NBD", pnbd: "Pareto/NBD"};
export const OUTCOME_MODEL_NAMES = {logistic: "Logistic regression", boosting: "Gradient boosting"};

const pct = (d) => `${Math.round(100 * d)}%`;
const DAY = 864e5;

/** Room for the longest of `labels` at Plot's default 10px sans-serif. */
function labelMargin(labels, min = 60, max = 280) {
  return Math.max(min, Math.min(max, 16 + 6.2 * Math.max(0, ...labels.map((l) => String(l).length))));
}

/** Colour scale of "Actual" (black) and the two models (blue, orange), in that legend order. */
function modelColors(names, {actual = true} = {}) {
  const domain = actual ? ["Actual", ...names] : names;
  return {domain, range: actual ? [ACTUAL_COLOR, ...MODEL_COLORS] : MODEL_COLORS, legend: true};
}

/**
 * Repeat purchases of the whole cohort per period, actual against both count models, across the
 * calibration period and the holdout (Fader, Hardie & Lee 2005, Figures 2 and 3); the rule is
 * the calibration end. `cumulative` draws running totals.
 */
export function trackingChart(tracking, {width, height = 320, periodDays = 7, cumulative = true, ariaLabel} = {}) {
  const start = Date.parse(`${tracking.startDay}T00:00:00Z`);
  const end = (k) => new Date(start + (k + 1) * periodDays * DAY);
  const series = [
    ["Actual", cumulative ? tracking.cumulativeActual : tracking.actual],
    [COUNT_MODEL_NAMES.bgnbd, cumulative ? tracking.bgnbd.cumulativeExpected : tracking.bgnbd.expected],
    [COUNT_MODEL_NAMES.pnbd, cumulative ? tracking.pnbd.cumulativeExpected : tracking.pnbd.expected]
  ];
  const points = series.flatMap(([model, values]) => values.map((y, k) => ({model, date: end(k), period: k + 1, y})));
  const divide = new Date(start + tracking.calibrationPeriods * periodDays * DAY);
  const unit = periodDays === 7 ? "week" : "day";
  return Plot.plot({
    width,
    height,
    ariaLabel,
    marginLeft: 60,
    grid: true,
    x: {label: null, type: "utc"},
    y: {label: cumulative ? "↑ Cumulative repeat purchases" : `↑ Repeat purchases per ${unit}`, tickFormat: "~s", zero: true},
    color: modelColors([COUNT_MODEL_NAMES.bgnbd, COUNT_MODEL_NAMES.pnbd]),
    marks: [
      Plot.ruleX([divide], {stroke: "#888", strokeDasharray: "4,3"}),
      Plot.text([divide], {x: (d) => d, frameAnchor: "top", dx: -6, dy: 6, textAnchor: "end", text: () => "← calibration", fill: "#555"}),
      Plot.text([divide], {x: (d) => d, frameAnchor: "top", dx: 6, dy: 6, textAnchor: "start", text: () => "holdout →", fill: "#555"}),
      Plot.line(points.filter((d) => d.model === "Actual"), {x: "date", y: "y", stroke: "model", strokeWidth: 2}),
      Plot.line(points.filter((d) => d.model === COUNT_MODEL_NAMES.bgnbd), {x: "date", y: "y", stroke: "model", strokeWidth: 1.5, strokeDasharray: "6,3"}),
      Plot.line(points.filter((d) => d.model === COUNT_MODEL_NAMES.pnbd), {x: "date", y: "y", stroke: "model", strokeWidth: 1.5, strokeDasharray: "2,2"}),
      Plot.ruleY([0]),
      Plot.tip(points, Plot.pointerX({x: "date", y: "y", stroke: "model", channels: {[unit]: "period"}, format: {x: (d) => d.toISOString().slice(0, 10), y: (d) => Math.round(d).toLocaleString("en-US")}}))
    ]
  });
}

/**
 * Mean holdout purchases of the customers grouped by their calibration-period repeat purchases
 * (0, 1, …, 6, 7+), actual against both count models (Fader, Hardie & Lee 2005, Figure 4).
 */
export function holdoutByFrequency(holdout, {width, height = 300, ariaLabel} = {}) {
  const points = [
    ...holdout.bgnbd.byFrequency.map((g) => ({model: "Actual", x: g.x, y: g.actual, customers: g.customers})),
    ...["bgnbd", "pnbd"].flatMap((m) => holdout[m].byFrequency.map((g) => ({model: COUNT_MODEL_NAMES[m], x: g.x, y: g.expected, customers: g.customers})))
  ];
  const line = (model, options) => Plot.line(points.filter((d) => d.model === model), {x: "x", y: "y", stroke: "model", ...options});
  return Plot.plot({
    width,
    height,
    ariaLabel,
    grid: true,
    x: {label: "Repeat purchases in the calibration period", type: "point", domain: holdout.bgnbd.byFrequency.map((g) => g.x), padding: 0.3},
    y: {label: "Mean purchases in the holdout", zero: true},
    color: modelColors([COUNT_MODEL_NAMES.bgnbd, COUNT_MODEL_NAMES.pnbd]),
    marks: [
      line("Actual", {strokeWidth: 2}),
      line(COUNT_MODEL_NAMES.bgnbd, {strokeWidth: 1.5, strokeDasharray: "6,3"}),
      line(COUNT_MODEL_NAMES.pnbd, {strokeWidth: 1.5, strokeDasharray: "2,2"}),
      Plot.dot(points, {x: "x", y: "y", stroke: "model", fill: "white", r: 3, tip: true, channels: {customers: "customers"}, format: {y: (d) => d.toFixed(2)}}),
      Plot.ruleY([0])
    ]
  });
}

/**
 * Mean P(alive) of the customers by repeat purchases (rows, 7+ on top) and periods since their
 * last purchase (columns, most recent left): the BG/NBD paper's "iso-P(alive)" picture as cells.
 */
export function pAliveHeatmap(grid, {width, unit = "Weeks", ariaLabel} = {}) {
  const round = (x) => Math.round(x).toLocaleString("en-US");
  const bins = grid.recencyEdges.slice(0, -1).map((lo, b) => `${round(lo)}–${round(grid.recencyEdges[b + 1])}`);
  const cells = grid.cells.map((c) => ({frequency: grid.frequencyLabels[c.frequency], recency: bins[c.recencyBin], pAlive: c.pAlive, customers: c.customers}));
  return Plot.plot({
    width,
    height: 70 + 36 * grid.frequencyLabels.length,
    ariaLabel,
    marginLeft: 50,
    marginBottom: 40,
    padding: 0,
    x: {label: `${unit} since the last purchase →`, domain: bins, labelAnchor: "center"},
    y: {label: "↑ Repeat purchases", domain: [...grid.frequencyLabels].reverse()},
    color: {type: "linear", scheme: "YlGnBu", domain: [0, 1], legend: true, label: "Mean P(alive)", tickFormat: pct},
    marks: [
      Plot.cell(cells, {x: "recency", y: "frequency", fill: "pAlive", inset: 0.5, tip: true, channels: {customers: "customers"}, format: {fill: (d) => d.toFixed(2), customers: (d) => d.toLocaleString("en-US")}}),
      Plot.text(cells, {x: "recency", y: "frequency", text: (d) => pct(d.pAlive), fill: (d) => (d.pAlive > 0.55 ? "white" : "black"), fontSize: 11})
    ]
  });
}

/** Customers by predicted value (histogram, count axis logarithmic so the long tail shows). */
export function clvHistogram(histogram, {width, height = 260, label = "Predicted value", ariaLabel} = {}) {
  const bars = histogram.counts.map((count, i) => ({x1: i * histogram.width, x2: (i + 1) * histogram.width, count})).filter((d) => d.count > 0);
  const top = Math.max(10, ...histogram.counts) * 1.2;
  return Plot.plot({
    width,
    height,
    ariaLabel,
    marginLeft: 55,
    grid: true,
    x: {label: `${label} →`, domain: [0, histogram.counts.length * histogram.width]},
    y: {label: "↑ Customers (log scale)", type: "log", domain: [1, top], ticks: Array.from({length: Math.floor(Math.log10(top)) + 1}, (_, i) => 10 ** i), tickFormat: "~s"},
    marks: [
      Plot.rectY(bars, {x1: "x1", x2: "x2", y1: 1, y2: "count", fill: "#4477AA", inset: 0.5, tip: true, format: {x1: (d) => d.toFixed(0), x2: (d) => d.toFixed(0), y1: false}}),
      Plot.ruleY([1])
    ]
  });
}

/**
 * Lorenz curve of value, customers from the most valuable: the share of all predicted value held
 * by the top x of customers; the diagonal is value spread evenly. Dots mark the top 10% and 20%.
 */
export function lorenzCurve(lorenz, {width, height = 300, ariaLabel} = {}) {
  const points = lorenz.customerShare.map((x, i) => ({x, y: lorenz.valueShare[i]}));
  const marked = [0.1, 0.2].map((x) => points.reduce((a, b) => (Math.abs(b.x - x) < Math.abs(a.x - x) ? b : a)));
  return Plot.plot({
    width,
    height,
    ariaLabel,
    grid: true,
    x: {label: "Share of customers, most valuable first →", domain: [0, 1], tickFormat: pct},
    y: {label: "↑ Share of predicted value", domain: [0, 1], tickFormat: pct},
    marks: [
      Plot.line([[0, 0], [1, 1]], {stroke: "#999", strokeDasharray: "4,3"}),
      Plot.areaY(points, {x: "x", y1: (d) => d.x, y2: "y", fill: "#4477AA", fillOpacity: 0.12}),
      Plot.line(points, {x: "x", y: "y", stroke: "#4477AA", strokeWidth: 2}),
      Plot.dot(marked, {x: "x", y: "y", fill: "#CC3311", r: 4}),
      Plot.text(marked, {x: "x", y: "y", text: (d) => `top ${pct(d.x)}: ${pct(d.y)} of value`, dx: 8, dy: 10, textAnchor: "start", fill: "#CC3311", fontSize: 11}),
      Plot.tip(points, Plot.pointerX({x: "x", y: "y", format: {x: pct, y: (d) => `${(100 * d).toFixed(1)}%`}}))
    ]
  });
}

/**
 * Per segment, the share of all predicted value (bar, segment colour) against the segment's
 * share of customers (black tick): a bar past its tick is worth more than its size.
 */
export function segmentValueShare(segments, {names, width, ariaLabel} = {}) {
  const total = segments.reduce((a, s) => a + s.customers, 0);
  const data = segments.map((s) => ({name: segmentName(s.segment, names), segment: s.segment, value: s.valueShare ?? 0, customers: total ? s.customers / total : 0}));
  const domain = data.map((d) => d.name);
  return Plot.plot({
    width,
    height: 50 + 30 * data.length,
    ariaLabel,
    marginLeft: labelMargin(domain),
    x: {label: "Share of predicted value (bars) and of customers (ticks) →", domain: [0, 1], tickFormat: pct, grid: true},
    y: {label: null, domain},
    color: {domain, range: data.map((d) => segmentColor(d.segment))},
    marks: [
      Plot.barX(data, {x: "value", y: "name", fill: "name", tip: true, channels: {customers: "customers"}, format: {x: pct, customers: pct, fill: false}}),
      Plot.tickX(data, {x: "customers", y: "name", stroke: "black", strokeWidth: 2}),
      Plot.ruleX([0])
    ]
  });
}

/** Mean P(alive) per segment (bar in the segment colour); the rest of the bar's length is churn risk. */
export function segmentPAlive(segments, {names, width, ariaLabel} = {}) {
  const data = segments.filter((s) => s.meanPAlive != null).map((s) => ({name: segmentName(s.segment, names), segment: s.segment, pAlive: s.meanPAlive}));
  const domain = data.map((d) => d.name);
  return Plot.plot({
    width,
    height: 50 + 30 * data.length,
    ariaLabel,
    marginLeft: labelMargin(domain),
    marginRight: 70,
    x: {label: "Mean P(alive) →", domain: [0, 1], tickFormat: pct, grid: true},
    y: {label: null, domain},
    color: {domain, range: data.map((d) => segmentColor(d.segment))},
    marks: [
      Plot.barX(data, {x1: "pAlive", x2: 1, y: "name", fill: "#eee"}),
      Plot.barX(data, {x: "pAlive", y: "name", fill: "name", tip: true, format: {x: pct, fill: false}}),
      Plot.text(data, {y: "name", frameAnchor: "right", text: (d) => `${pct(d.pAlive)} alive`, dx: 8, textAnchor: "start", fontSize: 11}),
      Plot.ruleX([0])
    ]
  });
}

/** ROC curves of both outcome models against the diagonal of guessing. */
export function rocChart(models, {width, height, ariaLabel} = {}) {
  const names = Object.keys(models).map((m) => `${OUTCOME_MODEL_NAMES[m] ?? m} (AUC ${models[m].rocAuc.toFixed(3)})`);
  const points = Object.keys(models).flatMap((m, j) => models[m].roc.fpr.map((fpr, i) => ({model: names[j], fpr, tpr: models[m].roc.tpr[i]})));
  const side = Math.min(width ?? 400, 420);
  return Plot.plot({
    width,
    height: height ?? side,
    ariaLabel,
    grid: true,
    x: {label: "False positive rate →", domain: [0, 1], tickFormat: pct},
    y: {label: "↑ True positive rate", domain: [0, 1], tickFormat: pct},
    color: modelColors(names, {actual: false}),
    marks: [
      Plot.line([[0, 0], [1, 1]], {stroke: "#999", strokeDasharray: "4,3"}),
      Plot.line(points, {x: "fpr", y: "tpr", stroke: "model", strokeWidth: 2}),
      Plot.tip(points, Plot.pointer({x: "fpr", y: "tpr", stroke: "model", format: {x: pct, y: pct}}))
    ]
  });
}

/**
 * Cumulative gains: the share of all positives found when contacting the customers the model
 * scores highest, by decile, for both models; the diagonal is contacting at random.
 */
export function gainsChart(models, {width, height = 320, ariaLabel} = {}) {
  const names = Object.keys(models).map((m) => OUTCOME_MODEL_NAMES[m] ?? m);
  const points = Object.keys(models).flatMap((m, j) => [{model: names[j], share: 0, captured: 0, lift: null, decile: 0}, ...models[m].gains.map((g) => ({model: names[j], share: g.populationShare, captured: g.captured, lift: g.lift, decile: g.decile}))]);
  return Plot.plot({
    width,
    height,
    ariaLabel,
    grid: true,
    x: {label: "Share of customers contacted, highest score first →", domain: [0, 1], tickFormat: pct},
    y: {label: "↑ Share of all positives found", domain: [0, 1], tickFormat: pct},
    color: modelColors(names, {actual: false}),
    marks: [
      Plot.line([[0, 0], [1, 1]], {stroke: "#999", strokeDasharray: "4,3"}),
      Plot.line(points, {x: "share", y: "captured", stroke: "model", strokeWidth: 2}),
      Plot.dot(points.filter((d) => d.decile > 0), {x: "share", y: "captured", stroke: "model", fill: "white", r: 3, tip: true, channels: {lift: "lift"}, format: {x: pct, y: pct, lift: (d) => `${d.toFixed(2)}×`}})
    ]
  });
}

/**
 * Calibration (reliability) curve: per bin of predicted probability, the mean prediction against
 * the observed rate, dot area by customers; on the diagonal a prediction of 30% means 30%.
 */
export function calibrationChart(models, {width, height, ariaLabel} = {}) {
  const names = Object.keys(models).map((m) => OUTCOME_MODEL_NAMES[m] ?? m);
  const points = Object.keys(models).flatMap((m, j) => {
    const c = models[m].calibration;
    return c.predicted.map((p, i) => ({model: names[j], predicted: p, observed: c.observed[i], count: c.count[i], bin: `${pct(c.low[i])}–${pct(c.high[i])}`}));
  });
  const side = Math.min(width ?? 400, 420);
  return Plot.plot({
    width,
    height: height ?? side,
    ariaLabel,
    grid: true,
    x: {label: "Mean predicted probability →", domain: [0, 1], tickFormat: pct},
    y: {label: "↑ Observed rate", domain: [0, 1], tickFormat: pct},
    r: {range: [2, 14]},
    color: modelColors(names, {actual: false}),
    marks: [
      Plot.line([[0, 0], [1, 1]], {stroke: "#999", strokeDasharray: "4,3"}),
      Plot.line(points, {x: "predicted", y: "observed", stroke: "model", strokeWidth: 1.5, strokeOpacity: 0.7}),
      Plot.dot(points, {x: "predicted", y: "observed", r: "count", stroke: "model", fill: "model", fillOpacity: 0.25, tip: true, channels: {bin: "bin", customers: "count"}, format: {x: pct, y: pct, r: false}})
    ]
  });
}

/**
 * Outcome rate per segment (dot, segment colour) with its Wilson 95% interval (rule), against the
 * base rate of all customers (grey rule, its interval shaded); the lift is written on the right.
 */
export function segmentRateChart({segments, baseRate, baseLow, baseHigh}, {names, width, label = "Outcome rate", ariaLabel} = {}) {
  const data = segments.filter((s) => s.rate != null).map((s) => ({name: segmentName(s.segment, names), segment: s.segment, rate: s.rate, low: s.low, high: s.high, n: s.n, lift: s.lift}));
  const domain = data.map((d) => d.name);
  const top = Math.min(1, Math.max(baseHigh ?? 0, ...data.map((d) => d.high)) * 1.25 + 0.02);
  return Plot.plot({
    width,
    height: 60 + 36 * data.length,
    ariaLabel,
    marginLeft: labelMargin(domain),
    marginTop: 30,
    marginRight: 50,
    x: {label: `${label} (95% interval) →`, domain: [0, top], tickFormat: pct, grid: true},
    y: {label: null, domain},
    color: {domain, range: data.map((d) => segmentColor(d.segment))},
    marks: [
      baseLow == null ? null : Plot.rectX([0], {x1: baseLow, x2: baseHigh, fill: "#999", fillOpacity: 0.15}),
      Plot.ruleX([baseRate], {stroke: "#555", strokeDasharray: "4,3"}),
      Plot.text([baseRate], {x: (d) => d, frameAnchor: "top", dy: -12, dx: 4, textAnchor: "start", text: (d) => `all customers ${(100 * d).toFixed(1)}%`, fill: "#555"}),
      Plot.ruleY(data, {y: "name", x1: "low", x2: "high", stroke: "name", strokeWidth: 3}),
      Plot.dot(data, {x: "rate", y: "name", fill: "name", stroke: "white", r: 6, tip: true, channels: {low: "low", high: "high", customers: "n", lift: "lift"}, format: {x: pct, low: (d) => `${(100 * d).toFixed(1)}%`, high: (d) => `${(100 * d).toFixed(1)}%`, lift: (d) => `${d.toFixed(2)}×`, fill: false}}),
      Plot.text(data, {y: "name", frameAnchor: "right", text: (d) => (d.lift == null ? "" : `${d.lift.toFixed(2)}×`), dx: 10, textAnchor: "start", fontSize: 11}),
      Plot.text(["lift"], {frameAnchor: "top-right", dx: 10, dy: -12, textAnchor: "start", text: (d) => d, fill: "#555"})
    ]
  });
}
