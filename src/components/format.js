// Number formatting shared by every page (no d3-format download needed).
export const count = (x) => (x == null ? "–" : Math.round(x).toLocaleString("en-US"));
export const percent = (x, digits = 1) => (x == null ? "–" : `${(100 * x).toFixed(digits)}%`);
export const num = (x, digits = 3) => (x == null || Number.isNaN(x) ? "–" : Number(x).toLocaleString("en-US", {maximumSignificantDigits: digits}));
/** Exactly `digits` significant digits, trailing zeros kept ("4.00", "0.267", "13.6"): for fitted parameters. */
export const precise = (x, digits = 3) => (x == null || Number.isNaN(x) ? "–" : Number(x).toLocaleString("en-US", {minimumSignificantDigits: digits, maximumSignificantDigits: digits}));
export const fixed = (x, digits = 3) => (x == null || Number.isNaN(x) ? "–" : Number(x).toFixed(digits));
export const signed = (x, digits = 1) => (x == null || Number.isNaN(x) ? "–" : `${x > 0 ? "+" : x < 0 ? "−" : ""}${Math.abs(100 * x).toFixed(digits)}%`);
/** "19.3% (17.1–21.7%)": a rate with its 95% interval. */
export const rateInterval = (rate, low, high) => (rate == null ? "–" : `${percent(rate)} (${low == null ? "–" : (100 * low).toFixed(1)}–${percent(high)})`);

/**
 * What a segment is worth, as short texts for segment cards and the home page (rendered as
 * text): `value` and `alive` from the value models (transaction logs), `outcome` from the outcome
 * column (customer tables); each is null when the report has none.
 */
export function worthText({value, outcome} = {}) {
  const modelled = value && value.meanClv != null;
  return {
    value: modelled ? `${percent(value.valueShare)} of predicted value, mean CLV ${num(value.meanClv, 3)}` : null,
    alive: modelled && value.meanPAlive != null ? `Mean P(alive) ${percent(value.meanPAlive, 0)}, churn risk ${percent(1 - value.meanPAlive, 0)}` : null,
    outcome: outcome && outcome.rate != null ? `${outcome.column} ${rateInterval(outcome.rate, outcome.low, outcome.high)}${outcome.lift == null ? "" : `, ${outcome.lift.toFixed(2)}× the average`}` : null
  };
}

/** A behaviour as a short text: "income 33,500 vs 51,900", "month-to-month contract 71% vs 55%". */
export function behaviourText({words, share, mean, overall}) {
  const f = (x) => (share ? percent(x, 0) : num(x, 3));
  return `${words} ${f(mean)} vs ${f(overall)}`;
}
