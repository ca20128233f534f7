/**
 * A seeded synthetic churn table for tests and the benchmark: subscription customers with mixed
 * numeric and categorical columns, prepared as the pipeline prepares features (numeric columns
 * z-scored, one-hot columns 0 or 1/√2), and a churn outcome drawn from a known model — logistic
 * in the main effects, plus an interaction (month-to-month contracts make support calls worse)
 * and a threshold effect (very unhappy customers) that a linear model cannot express.
 */
import { checkParam } from "../errors.ts";
import type { FeatureMatrix } from "../matrix.ts";
import { Rng } from "../rng.ts";

export interface ChurnOptions {
  n: number;
  seed: number;
  /** Pure-noise numeric columns besides the 9 informative-looking ones; default 17 (41 columns in all). */
  noiseColumns?: number;
}

export interface ChurnTable {
  matrix: FeatureMatrix;
  /** 1 = churned. */
  y: Uint8Array;
  /** The true churn probability of each row (the best any model could predict). */
  truth: Float64Array;
}

const CONTRACTS = ["month-to-month", "one year", "two year"];
const PAYMENTS = ["electronic check", "mailed check", "bank transfer", "credit card"];
const INTERNET = ["none", "DSL", "fiber"];
const REGIONS = ["north", "south", "east", "west", "central"];

export function churnCustomers(options: ChurnOptions): ChurnTable {
  const { n, seed } = options;
  const noise = options.noiseColumns ?? 17;
  checkParam(Number.isInteger(n) && n >= 10, "n", n, "an integer ≥ 10");
  checkParam(Number.isInteger(noise) && noise >= 0, "noiseColumns", noise, "an integer ≥ 0");
  const rng = new Rng(seed);
  const pick = (weights: number[]) => {
    let u = rng.random() * weights.reduce((a, b) => a + b, 0);
    for (let c = 0; c < weights.length; c++) if ((u -= weights[c]) < 0) return c;
    return weights.length - 1;
  };
  const poisson = (mean: number) => {
    // Knuth's product of uniforms: fine for the small means used here.
    const limit = Math.exp(-mean);
    let k = 0;
    for (let prod = rng.random(); prod > limit; prod *= rng.random()) k++;
    return k;
  };

  const numericNames = ["tenure", "monthlyCharges", "totalCharges", "supportCalls", "age", "dataUsage", "latePayments", "satisfaction", "products"];
  for (let j = 1; j <= noise; j++) numericNames.push(`noise${j}`);
  const numeric = numericNames.map(() => new Float64Array(n));
  const contract = new Int32Array(n);
  const payment = new Int32Array(n);
  const internet = new Int32Array(n);
  const region = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    contract[i] = pick([0.55, 0.25, 0.2]);
    payment[i] = pick([0.33, 0.22, 0.22, 0.23]);
    internet[i] = pick([0.2, 0.35, 0.45]);
    region[i] = pick([1, 1, 1, 1, 1]);
    // Longer contracts go with longer tenure.
    const tenure = Math.min(72, Math.max(1, Math.ceil(72 * rng.random() ** (contract[i] === 0 ? 1.4 : 0.6))));
    const charge = [20, 55, 85][internet[i]] + [5, 12, 15][internet[i]] * rng.normal();
    const age = Math.min(90, Math.max(18, 42 + 13 * rng.normal()));
    numeric[0][i] = tenure;
    numeric[1][i] = Math.max(10, charge);
    numeric[2][i] = tenure * Math.max(10, charge) * (1 + 0.05 * rng.normal());
    numeric[3][i] = poisson(internet[i] === 2 ? 2 : 1.2);
    numeric[4][i] = age;
    numeric[5][i] = internet[i] === 0 ? 0 : Math.exp(2 + 0.8 * rng.normal());
    numeric[6][i] = poisson(payment[i] === 0 ? 0.7 : 0.3);
    numeric[7][i] = Math.min(10, Math.max(1, Math.round(6.5 + 1.8 * rng.normal())));
    numeric[8][i] = 1 + poisson(1);
    // Noise, half of it correlated with age or charges, as real tables have redundant columns.
    for (let j = 0; j < noise; j++) {
      const base = j % 2 === 0 ? 0 : j % 4 === 1 ? (age - 42) / 13 : (charge - 60) / 25;
      numeric[9 + j][i] = 0.6 * base + rng.normal();
    }
  }
  const z = numeric.map(zscore);
  const truth = new Float64Array(n);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const m2m = contract[i] === 0 ? 1 : 0;
    const eta =
      -2.3 -
      1.0 * z[0][i] +
      0.4 * z[1][i] +
      0.5 * z[3][i] +
      0.35 * z[6][i] -
      0.4 * z[7][i] +
      1.1 * m2m -
      0.9 * (contract[i] === 2 ? 1 : 0) +
      0.4 * (internet[i] === 2 ? 1 : 0) +
      0.45 * (payment[i] === 0 ? 1 : 0) +
      0.7 * m2m * z[3][i] +
      1.2 * (numeric[7][i] <= 3 ? 1 : 0);
    truth[i] = 1 / (1 + Math.exp(-eta));
    y[i] = rng.random() < truth[i] ? 1 : 0;
  }

  const categorical: [string, string[], Int32Array][] = [
    ["contract", CONTRACTS, contract],
    ["payment", PAYMENTS, payment],
    ["internet", INTERNET, internet],
    ["region", REGIONS, region]
  ];
  const names = [...numericNames, ...categorical.flatMap(([col, levels]) => levels.map((l) => `${col}=${l}`))];
  const d = names.length;
  const data = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    let j = 0;
    for (const col of z) data[i * d + j++] = col[i];
    for (const [, levels, codes] of categorical) {
      for (let c = 0; c < levels.length; c++) data[i * d + j++] = codes[i] === c ? 1 / Math.SQRT2 : 0;
    }
  }
  return { matrix: { names, n, d, data }, y, truth };
}

/** z-scores with the population standard deviation (as the pipeline's zscore scaling). */
function zscore(values: Float64Array): Float64Array {
  const n = values.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += values[i];
  const mean = s / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i] - mean) ** 2;
  const sd = Math.sqrt(ss / n) || 1;
  return Float64Array.from(values, (v) => (v - mean) / sd);
}
