import { describe, expect, it } from "vitest";
import { fitPositive, hessian, invertSpd, minimize, nelderMead } from "../loaders/value/optimize.ts";

describe("minimize (Nelder–Mead, then BFGS)", () => {
  it("finds the minimum of Rosenbrock's function with and without an analytic gradient", () => {
    const f = (t: Float64Array) => 100 * (t[1] - t[0] * t[0]) ** 2 + (1 - t[0]) ** 2;
    const grad = (t: Float64Array, g: Float64Array) => {
      g[0] = -400 * t[0] * (t[1] - t[0] * t[0]) - 2 * (1 - t[0]);
      g[1] = 200 * (t[1] - t[0] * t[0]);
      return f(t);
    };
    for (const gradient of [grad, undefined]) {
      const r = minimize(f, [-1.2, 1], { lower: [-10, -10], upper: [10, 10], gradient });
      expect(r.converged).toBe(true);
      expect(r.theta[0]).toBeCloseTo(1, 6);
      expect(r.theta[1]).toBeCloseTo(1, 6);
      expect(r.value).toBeLessThan(1e-12);
    }
  });

  it("Nelder–Mead alone converges on a quadratic bowl", () => {
    const f = (t: Float64Array) => (t[0] - 3) ** 2 + 2 * (t[1] + 1) ** 2 + (t[0] - 3) * (t[1] + 1);
    const r = nelderMead(f, Float64Array.of(0, 0), [-100, -100], [100, 100], 2000, 1e-14);
    expect(r.theta[0]).toBeCloseTo(3, 5);
    expect(r.theta[1]).toBeCloseTo(-1, 5);
  });

  it("treats NaN as +∞, so the search backs off from where the function is undefined", () => {
    const f = (t: Float64Array) => (t[0] < 0.5 ? NaN : (t[0] - 1) ** 2 + t[1] ** 2);
    const r = minimize(f, [2, 2], { lower: [-5, -5], upper: [5, 5] });
    expect(r.theta[0]).toBeCloseTo(1, 6);
    expect(r.theta[1]).toBeCloseTo(0, 6);
  });
});

describe("fitPositive (log-parameters, delta-method standard errors)", () => {
  // nll(p) = Σ a_i p_i − b_i ln p_i: minimum at p_i = b_i / a_i, natural-scale Hessian b_i / p_i²,
  // so se(p_i) = p_i / √b_i exactly.
  const a = [2, 0.5, 40], b = [10, 30, 4];
  const nll = (p: Float64Array) => p.reduce((s, v, i) => s + a[i] * v - b[i] * Math.log(v), 0);
  const nllGrad = (p: Float64Array, g: Float64Array) => {
    for (let i = 0; i < 3; i++) g[i] = a[i] - b[i] / p[i];
    return nll(p);
  };
  const bounds = { lower: [1e-6, 1e-6, 1e-6], upper: [1e6, 1e6, 1e6] };

  it("recovers the optimum and the standard errors, with and without a gradient", () => {
    for (const gradient of [nllGrad, undefined]) {
      const fit = fitPositive(nll, [1, 1, 1], bounds, gradient);
      expect(fit.converged).toBe(true);
      fit.params.forEach((p, i) => expect(p / (b[i] / a[i])).toBeCloseTo(1, 8));
      fit.standardErrors.forEach((se, i) => expect(se! / (b[i] / a[i] / Math.sqrt(b[i]))).toBeCloseTo(1, 5));
    }
  });

  it("stops at a bound when the likelihood keeps improving that way, and leaves that standard error out", () => {
    // Decreasing in p[1] for ever: the optimum is at its upper bound.
    const f = (p: Float64Array) => (p[0] - 2) ** 2 + 1 / p[1];
    const fit = fitPositive(f, [1, 1], { lower: [1e-6, 1e-6], upper: [1e6, 1e3] });
    expect(fit.params[0]).toBeCloseTo(2, 6);
    expect(fit.params[1]).toBeCloseTo(1e3, 3);
    expect(fit.atBound).toEqual([false, true]);
    expect(fit.standardErrors[1]).toBeNull();
  });
});

describe("hessian and invertSpd", () => {
  it("differentiate and invert a known quadratic", () => {
    const A = [[4, 1, 0], [1, 3, 0.5], [0, 0.5, 2]];
    const f = (t: Float64Array) => 0.5 * A.reduce((s, row, i) => s + row.reduce((u, v, j) => u + t[i] * v * t[j], 0), 0);
    const H = hessian(f, [0.3, -0.2, 1.1]);
    A.forEach((row, i) => row.forEach((v, j) => expect(H[i * 3 + j]).toBeCloseTo(v, 6)));
    const inv = invertSpd(Float64Array.from(A.flat()), 3)!;
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        const prod = A[i].reduce((s, v, k) => s + v * inv[k * 3 + j], 0);
        expect(prod).toBeCloseTo(i === j ? 1 : 0, 12);
      }
    }
    expect(invertSpd(Float64Array.of(1, 2, 2, 1), 2)).toBeNull();
  });
});
