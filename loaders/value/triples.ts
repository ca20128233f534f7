/**
 * The count models see a customer only through (x, tx, T), and many customers share a triple
 * (every one-time buyer who started on the same day does), so likelihoods and predictions run
 * over distinct triples with weights. The distinct times and (x, time) pairs are indexed too:
 * a likelihood evaluation computes ln(α + t) once per distinct time and the Pareto/NBD's
 * hypergeometric term once per distinct (x, t), not once per customer.
 */
import { WorkbenchError } from "../errors.ts";

export interface Triples {
  /** Distinct (x, tx, T) triples, in order of first appearance. */
  n: number;
  x: Int32Array;
  tx: Float64Array;
  T: Float64Array;
  /** Customers with that triple. */
  weight: Float64Array;
  /** Σ weight. */
  customers: number;
  /** Largest x (x are whole numbers 0..maxX). */
  maxX: number;
  /** Distinct values among all tx and T, and each triple's index into them. */
  times: Float64Array;
  txIndex: Int32Array;
  TIndex: Int32Array;
  /** Distinct (x, time) pairs among (x, tx) and (x, T), and each triple's two indexes. */
  pairX: Float64Array;
  pairTime: Int32Array;
  pairOfTx: Int32Array;
  pairOfT: Int32Array;
  /** Triple of each customer, in input order. */
  ofCustomer: Int32Array;
}

/** Validates and compresses per-customer (x, tx, T); times in periods. */
export function compressTriples(x: ArrayLike<number>, tx: ArrayLike<number>, T: ArrayLike<number>): Triples {
  const C = x.length;
  if (tx.length !== C || T.length !== C) throw new Error("compressTriples: x, tx and T differ in length");
  const timeOf = new Map<number, number>();
  const times: number[] = [];
  const timeIndex = (t: number) => {
    let k = timeOf.get(t);
    if (k === undefined) {
      k = times.length;
      timeOf.set(t, k);
      times.push(t);
    }
    return k;
  };
  const txI = new Int32Array(C);
  const TI = new Int32Array(C);
  let maxX = 0;
  for (let i = 0; i < C; i++) {
    const xi = x[i], ti = tx[i], Ti = T[i];
    if (!(Number.isInteger(xi) && xi >= 0 && ti >= 0 && Ti >= ti && Number.isFinite(Ti) && (xi > 0 || ti === 0))) {
      throw new WorkbenchError(`customer ${i} has an impossible summary`, {
        found: `x=${xi}, tx=${ti}, T=${Ti}`,
        expected: "a whole x ≥ 0 and 0 ≤ tx ≤ T, with tx = 0 when x = 0",
        hint: "Summaries come from summarizePurchases; check the purchase days and the calibration end"
      });
    }
    if (xi > maxX) maxX = xi;
    txI[i] = timeIndex(ti);
    TI[i] = timeIndex(Ti);
  }
  const nTimes = times.length;
  const tripleOf = new Map<number, number>();
  const ofCustomer = new Int32Array(C);
  const first: number[] = [];
  const weights: number[] = [];
  for (let i = 0; i < C; i++) {
    const key = (x[i] * nTimes + txI[i]) * nTimes + TI[i];
    let k = tripleOf.get(key);
    if (k === undefined) {
      k = first.length;
      tripleOf.set(key, k);
      first.push(i);
      weights.push(0);
    }
    weights[k]++;
    ofCustomer[i] = k;
  }
  const n = first.length;
  const out = {
    x: new Int32Array(n), tx: new Float64Array(n), T: new Float64Array(n),
    txIndex: new Int32Array(n), TIndex: new Int32Array(n), pairOfTx: new Int32Array(n), pairOfT: new Int32Array(n)
  };
  const pairOf = new Map<number, number>();
  const pairX: number[] = [];
  const pairTime: number[] = [];
  const pairIndex = (xv: number, k: number) => {
    const key = xv * nTimes + k;
    let p = pairOf.get(key);
    if (p === undefined) {
      p = pairX.length;
      pairOf.set(key, p);
      pairX.push(xv);
      pairTime.push(k);
    }
    return p;
  };
  for (let k = 0; k < n; k++) {
    const i = first[k];
    out.x[k] = x[i];
    out.tx[k] = tx[i];
    out.T[k] = T[i];
    out.txIndex[k] = txI[i];
    out.TIndex[k] = TI[i];
    out.pairOfTx[k] = pairIndex(x[i], txI[i]);
    out.pairOfT[k] = pairIndex(x[i], TI[i]);
  }
  return {
    n, ...out, weight: Float64Array.from(weights), customers: C, maxX,
    times: Float64Array.from(times), pairX: Float64Array.from(pairX), pairTime: Int32Array.from(pairTime), ofCustomer
  };
}

/** Expands per-triple values to per-customer values. */
export function perCustomer(triples: Triples, values: Float64Array): Float64Array {
  const out = new Float64Array(triples.ofCustomer.length);
  for (let i = 0; i < out.length; i++) out[i] = values[triples.ofCustomer[i]];
  return out;
}

/**
 * Every k-th customer's triples (k = ⌈customers / maxCustomers⌉), sharing the time and pair
 * tables of the full set; null when there are at most 2 · maxCustomers customers. The fits
 * start from the optimum on this subsample, so the many Nelder–Mead evaluations run on a
 * fraction of the triples and only the BFGS polish runs on all of them.
 */
export function thinTriples(triples: Triples, maxCustomers: number): Triples | null {
  const { customers, ofCustomer } = triples;
  if (customers <= 2 * maxCustomers) return null;
  const k = Math.ceil(customers / maxCustomers);
  const counts = new Float64Array(triples.n);
  for (let i = 0; i < customers; i += k) counts[ofCustomer[i]]++;
  const keep: number[] = [];
  for (let t = 0; t < triples.n; t++) if (counts[t] > 0) keep.push(t);
  const pick = <A extends Int32Array | Float64Array>(a: A): A => {
    const out = new (a.constructor as { new (n: number): A })(keep.length);
    for (let j = 0; j < keep.length; j++) out[j] = a[keep[j]];
    return out;
  };
  let maxX = 0;
  for (const t of keep) if (triples.x[t] > maxX) maxX = triples.x[t];
  return {
    ...triples,
    n: keep.length,
    x: pick(triples.x), tx: pick(triples.tx), T: pick(triples.T),
    weight: pick(counts),
    customers: Math.ceil(customers / k),
    maxX,
    txIndex: pick(triples.txIndex), TIndex: pick(triples.TIndex),
    pairOfTx: pick(triples.pairOfTx), pairOfT: pick(triples.pairOfT),
    ofCustomer: new Int32Array(0)
  };
}

/** Customers in the subsample a large fit starts from (see thinTriples). */
export const WARM_START_CUSTOMERS = 25_000;
