// Number formatting shared by every page (no d3-format download needed).
export const count = (x) => (x == null ? "–" : Math.round(x).toLocaleString("en-US"));
export const percent = (x, digits = 1) => (x == null ? "–" : `${(100 * x).toFixed(digits)}%`);
export const num = (x, digits = 3) => (x == null || Number.isNaN(x) ? "–" : Number(x).toLocaleString("en-US", {maximumSignificantDigits: digits}));
export const fixed = (x, digits = 3) => (x == null || Number.isNaN(x) ? "–" : Number(x).toFixed(digits));
