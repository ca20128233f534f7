/**
 * Pareto/NBD (Schmittlein, Morrison & Colombo 1987): while alive a customer buys at a Poisson
 * rate λ ~ Gamma(r, α) and has an exponential lifetime with rate μ ~ Gamma(s, β).
 *
 * Likelihood (Fader & Hardie 2005, "A note on deriving the Pareto/NBD model and related
 * expressions", eq. 22):
 *   L = Γ(r+x) α^r β^s / Γ(r) · [ (α+T)^−(r+x) (β+T)^−s + s/(r+s+x) · A0 ],
 *   A0 = F(tx) − F(T),  F(t) = 2F1(r+s+x, b'; r+s+x+1; |α−β| / (c+t)) / (c+t)^(r+s+x),
 * with c = max(α, β) and b' = s+1 when α ≥ β, b' = r+x when α < β (the two cases keep the
 * hypergeometric argument in [0, 1)). Everything is in logs: ln A0 = ln F(tx) + ln(1 − e^(ln F(T) − ln F(tx)))
 * and the bracket is a log-sum-exp, as lifetimes and CLVTools do. A0 is ∫ over the unobserved
 * dropout time in (tx, T], so F(tx) ≥ F(T); when tx = T, A0 = 0.
 */
import { lnGamma, log2F1Pareto, log2F1ParetoWithGradient, logAddExp, logSubExp } from "./special.ts";
import { fitCountModel } from "./fitCount.ts";
import type { Triples } from "./triples.ts";
import type { CountFit } from "./countTypes.ts";
import { rateStart } from "./bgnbd.ts";

export type ParetoNbdParams = {
  r: number;
  alpha: number;
  s: number;
  beta: number;
};

export const PNBD_NAMES = ["r", "alpha", "s", "beta"] as const;

export const PNBD_BOUNDS = { lower: [1e-6, 1e-6, 1e-6, 1e-6], upper: [1e6, 1e8, 1e6, 1e8] };

/** ln F(t) for one customer (see the module comment). */
function logF(r: number, alpha: number, s: number, beta: number, x: number, t: number): number {
  const m = r + s + x;
  const c = Math.max(alpha, beta);
  const bPrime = alpha >= beta ? s + 1 : r + x;
  return log2F1Pareto(m, bPrime, Math.abs(alpha - beta) / (c + t)) - m * Math.log(c + t);
}

/** ln[(α+T)^−(r+x)(β+T)^−s] and ln[s/(r+s+x) · A0]: the two terms of the bracket. */
function terms(p: ParetoNbdParams, x: number, tx: number, T: number): [number, number] {
  const { r, alpha, s, beta } = p;
  const u0 = -(r + x) * Math.log(alpha + T) - s * Math.log(beta + T);
  if (!(tx < T)) return [u0, -Infinity];
  const lA0 = logSubExp(logF(r, alpha, s, beta, x, tx), logF(r, alpha, s, beta, x, T));
  return [u0, Math.log(s / (r + s + x)) + lA0];
}

/** Log-likelihood of one customer. */
export function pnbdLogLikelihoodOne(p: ParetoNbdParams, x: number, tx: number, T: number): number {
  const { r, alpha, s, beta } = p;
  const [u0, u1] = terms(p, x, tx, T);
  return lnGamma(r + x) - lnGamma(r) + r * Math.log(alpha) + s * Math.log(beta) + logAddExp(u0, u1);
}

/**
 * A log-likelihood over compressed triples with scratch tables allocated once (p = [r, α, s, β]):
 * per evaluation, one ln(α+t), ln(β+t) per distinct time, one hypergeometric term per distinct
 * (x, t) pair, then a few flops per triple. Fills grad (∂ lnL / ∂p) when given: the pair terms'
 * derivatives come from log2F1ParetoWithGradient, and per triple
 *   ∂ℓ = ∂head + w0 ∂u0 + (wa − wb) ∂ln(s/m) + wa ∂ln F(tx) − wb ∂ln F(T),
 * where w0, wa, wb are the bracket's three pieces e^u0, K e^lnF(tx), K e^lnF(T) over its total.
 */
export function pnbdLikelihood(triples: Triples): (p: ArrayLike<number>, grad?: Float64Array) => number {
  const { n, x, weight, maxX, times, txIndex, TIndex, pairX, pairTime, pairOfTx, pairOfT } = triples;
  const nt = times.length, np = pairX.length;
  const logAt = new Float64Array(nt), logBt = new Float64Array(nt), invAt = new Float64Array(nt), invBt = new Float64Array(nt);
  const logF = new Float64Array(np);
  const dF = new Float64Array(np * 4); // ∂ ln F / ∂(r, α, s, β) per pair
  const lgr = new Float64Array(maxX + 1), dR = new Float64Array(maxX + 1), logM = new Float64Array(maxX + 1);
  const g3 = new Float64Array(3);
  return (p, grad) => {
    const r = p[0], alpha = p[1], s = p[2], beta = p[3];
    const aboveBeta = alpha >= beta, c = aboveBeta ? alpha : beta, gap = Math.abs(alpha - beta);
    for (let k = 0; k < nt; k++) {
      logAt[k] = Math.log(alpha + times[k]);
      logBt[k] = Math.log(beta + times[k]);
      invAt[k] = 1 / (alpha + times[k]);
      invBt[k] = 1 / (beta + times[k]);
    }
    for (let k = 0; k < np; k++) {
      const xk = pairX[k], t = times[pairTime[k]], m = r + s + xk;
      const bPrime = aboveBeta ? s + 1 : r + xk, ct = c + t, z = gap / ct;
      const logCt = aboveBeta ? logAt[pairTime[k]] : logBt[pairTime[k]];
      if (!grad) {
        logF[k] = log2F1Pareto(m, bPrime, z) - m * logCt;
        continue;
      }
      logF[k] = log2F1ParetoWithGradient(m, bPrime, z, g3) - m * logCt;
      const fm = g3[0], fb = g3[1], fz = g3[2];
      if (aboveBeta) {
        dF[4 * k] = fm - logCt;
        dF[4 * k + 2] = fm + fb - logCt;
        dF[4 * k + 1] = (fz * (beta + t)) / (ct * ct) - m / ct;
        dF[4 * k + 3] = -fz / ct;
      } else {
        dF[4 * k] = fm + fb - logCt;
        dF[4 * k + 2] = fm - logCt;
        dF[4 * k + 1] = -fz / ct;
        dF[4 * k + 3] = (fz * (alpha + t)) / (ct * ct) - m / ct;
      }
    }
    for (let k = 0; k <= maxX; k++) {
      if (k < maxX) {
        lgr[k + 1] = lgr[k] + Math.log(r + k);
        dR[k + 1] = dR[k] + 1 / (r + k);
      }
      logM[k] = Math.log(r + s + k);
    }
    const logAlpha = Math.log(alpha), logBeta = Math.log(beta), head = r * logAlpha + s * logBeta, logS = Math.log(s);
    let sum = 0, gr = 0, galpha = 0, gs = 0, gbeta = 0;
    for (let i = 0; i < n; i++) {
      const xi = x[i], w = weight[i], iT = TIndex[i];
      const u0 = -(r + xi) * logAt[iT] - s * logBt[iT];
      let lse = u0, w0 = 1, wa = 0, wb = 0;
      if (txIndex[i] !== iT) {
        const k = logS - logM[xi];
        const la = k + logF[pairOfTx[i]], lb = k + logF[pairOfT[i]];
        // ln(e^u0 + e^la − e^lb), from the largest exponent; la ≥ lb (A0 ≥ 0).
        const top = u0 > la ? u0 : la;
        const e0 = Math.exp(u0 - top), ea = Math.exp(la - top), eb = Math.min(ea, Math.exp(lb - top));
        const total = e0 + ea - eb;
        lse = top + Math.log(total);
        if (grad) {
          w0 = e0 / total;
          wa = ea / total;
          wb = eb / total;
        }
      }
      sum += w * (lgr[xi] + head + lse);
      if (grad) {
        const m = r + s + xi, pa = 4 * pairOfTx[i], pb = 4 * pairOfT[i], wab = wa - wb;
        gr += w * (dR[xi] + logAlpha - w0 * logAt[iT] - wab / m + wa * dF[pa] - wb * dF[pb]);
        galpha += w * (r / alpha - w0 * (r + xi) * invAt[iT] + wa * dF[pa + 1] - wb * dF[pb + 1]);
        gs += w * (logBeta - w0 * logBt[iT] + wab * (1 / s - 1 / m) + wa * dF[pa + 2] - wb * dF[pb + 2]);
        gbeta += w * (s / beta - w0 * s * invBt[iT] + wa * dF[pa + 3] - wb * dF[pb + 3]);
      }
    }
    if (grad) {
      grad[0] = gr;
      grad[1] = galpha;
      grad[2] = gs;
      grad[3] = gbeta;
    }
    return sum;
  };
}

/** P(alive | x, tx, T) = (first term) / (bracket). */
export function pnbdPAlive(p: ParetoNbdParams, x: number, tx: number, T: number): number {
  const [u0, u1] = terms(p, x, tx, T);
  return Math.exp(u0 - logAddExp(u0, u1));
}

/**
 * (β+T)/(s−1) · [1 − ((β+T)/(β+T+t))^(s−1)], continuous through s = 1 (where it is
 * (β+T) ln(1 + t/(β+T))).
 */
function lifetimeFactor(s: number, betaT: number, t: number): number {
  const u = Math.log1p(t / betaT);
  const d = s - 1;
  return Math.abs(d) < 1e-10 ? betaT * u : (betaT * -Math.expm1(-d * u)) / d;
}

/** E[Y(t) | x, tx, T] = (r+x)/(α+T) · (β+T)/(s−1) · [1 − ((β+T)/(β+T+t))^(s−1)] · P(alive) (note eq. 41). */
export function pnbdConditionalExpected(p: ParetoNbdParams, t: number, x: number, tx: number, T: number): number {
  if (t <= 0) return 0;
  return ((p.r + x) / (p.alpha + T)) * lifetimeFactor(p.s, p.beta + T, t) * pnbdPAlive(p, x, tx, T);
}

/** E[X(t)] = rβ / (α(s−1)) · [1 − (β/(β+t))^(s−1)] (note eq. 17). */
export function pnbdExpected(p: ParetoNbdParams, t: number): number {
  if (t <= 0) return 0;
  return (p.r / p.alpha) * lifetimeFactor(p.s, p.beta, t);
}

export function pnbdPAliveMany(p: ParetoNbdParams, triples: Triples): Float64Array {
  const out = new Float64Array(triples.n);
  for (let i = 0; i < triples.n; i++) out[i] = pnbdPAlive(p, triples.x[i], triples.tx[i], triples.T[i]);
  return out;
}

export function pnbdConditionalExpectedCurve(p: ParetoNbdParams, triples: Triples, horizon: Float64Array): Float64Array {
  const m = horizon.length;
  const out = new Float64Array(triples.n * m);
  for (let i = 0; i < triples.n; i++) {
    const x = triples.x[i], T = triples.T[i];
    const scale = ((p.r + x) / (p.alpha + T)) * pnbdPAlive(p, x, triples.tx[i], T);
    for (let j = 0; j < m; j++) out[i * m + j] = horizon[j] > 0 ? scale * lifetimeFactor(p.s, p.beta + T, horizon[j]) : 0;
  }
  return out;
}

/**
 * Maximum-likelihood fit. Start: r = 1, α = ΣT/Σx (as for the BG/NBD), s = 1, β = α; above
 * 2 × WARM_START_CUSTOMERS customers, the fit on every k-th customer (see thinTriples).
 */
export function fitParetoNbd(triples: Triples, start?: ParetoNbdParams): CountFit<ParetoNbdParams> {
  const alpha0 = rateStart(triples);
  const s = start ?? { r: 1, alpha: alpha0, s: 1, beta: alpha0 };
  return fitCountModel(PNBD_NAMES, pnbdLikelihood, PNBD_BOUNDS, triples, [s.r, s.alpha, s.s, s.beta], { warm: !start });
}

