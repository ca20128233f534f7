/**
 * Minimising a smooth function of a few positive parameters: the negative log-likelihoods of
 * the customer-base models.
 *
 * - Work on θ = ln(parameter), so every step stays positive, inside a box of bounds on θ (the
 *   models pass theirs). Outside the box, or where the function is NaN, the value is +∞: the
 *   search backs off instead of following round-off. A naive BG/NBD term that subtracts two
 *   huge ln Γ values is flat-plus-noise for large b and lets Nelder–Mead drift to b ≈ 1e16; the
 *   models use stable forms, and the bound stops a genuinely flat direction (the fit then
 *   reports the parameter at its bound).
 * - Nelder–Mead (adaptive coefficients of Gao & Han 2012) from the start point finds the basin
 *   (to a loose tolerance), then BFGS with an analytic gradient when the model has one (central
 *   differences otherwise) polishes to a small gradient. Above 50,000 customers the models
 *   first fit a subsample and start BFGS on everyone from its optimum and scaled inverse
 *   Hessian (warmStart), skipping Nelder–Mead there; the optimum is still the full data's.
 * - Standard errors: the Hessian of the negative log-likelihood in θ by central differences at
 *   the optimum, inverted, and carried to the natural scale by the delta method,
 *   se(p) = p · sqrt([H⁻¹]θθ). At a stationary point this equals the inverse Hessian in the
 *   natural scale (the chain-rule term with the gradient vanishes), so the two conventions
 *   agree. A parameter at its bound, or a Hessian that is not positive definite, gives null.
 */

export type Objective = (theta: Float64Array) => number;
/** Writes the gradient into g and returns the value. */
export type ObjectiveWithGradient = (theta: Float64Array, g: Float64Array) => number;

export interface MinimizeOptions {
  lower: number[];
  upper: number[];
  /** Largest number of function evaluations in all. */
  maxEvaluations?: number;
  /** Analytic gradient; central differences when absent. */
  gradient?: ObjectiveWithGradient;
  /**
   * Nelder–Mead stops once its values spread less than this times |f| + 1 (default 1e-4):
   * it only has to find the basin; BFGS converges much faster from there.
   */
  simplexTolerance?: number;
  /** Skip Nelder–Mead when the start is already in the basin (e.g. the optimum on a subsample). */
  skipSimplex?: boolean;
  /** BFGS's starting inverse Hessian (n × n, in θ), e.g. a subsample's, scaled; identity otherwise. */
  inverseHessian?: Float64Array;
}

export interface MinimizeResult {
  theta: number[];
  value: number;
  evaluations: number;
  /** Nelder–Mead and BFGS iterations. */
  iterations: number;
  /** The gradient is small relative to the value (or BFGS could not improve further at a bound). */
  converged: boolean;
  gradientNorm: number;
  atBound: boolean[];
}

/** Nelder–Mead then BFGS, on θ within [lower, upper]. */
export function minimize(f: Objective, theta0: number[], options: MinimizeOptions): MinimizeResult {
  const n = theta0.length;
  const { lower, upper } = options;
  const maxEvaluations = options.maxEvaluations ?? 4000;
  let evaluations = 0;
  const inBox = (t: Float64Array) => {
    for (let i = 0; i < n; i++) if (!(t[i] >= lower[i] && t[i] <= upper[i])) return false;
    return true;
  };
  const value = (t: Float64Array) => {
    evaluations++;
    if (!inBox(t)) return Infinity;
    const v = f(t);
    return Number.isNaN(v) ? Infinity : v;
  };
  const start = Float64Array.from(theta0, (t, i) => Math.min(upper[i], Math.max(lower[i], t)));
  const nm = options.skipSimplex
    ? { theta: start, iterations: 0 }
    : nelderMead(value, start, lower, upper, Math.floor(maxEvaluations / 2), options.simplexTolerance ?? 1e-4);
  const gradient = options.gradient
    ? (t: Float64Array, g: Float64Array) => {
        evaluations++;
        if (!inBox(t)) return Infinity;
        const v = options.gradient!(t, g);
        return Number.isFinite(v) && g.every(Number.isFinite) ? v : Infinity;
      }
    : centralDifferenceGradient(value, n);
  const polished = bfgs(value, gradient, nm.theta, lower, upper, () => evaluations < maxEvaluations, options.inverseHessian);
  const theta = Array.from(polished.theta);
  const atBound = theta.map((t, i) => Math.abs(t - lower[i]) < 1e-6 || Math.abs(t - upper[i]) < 1e-6);
  return {
    theta,
    value: polished.value,
    evaluations,
    iterations: nm.iterations + polished.iterations,
    converged: polished.converged || (atBound.some(Boolean) && polished.stalled),
    gradientNorm: polished.gradientNorm,
    atBound
  };
}

/** Nelder–Mead on a box (points are clamped into it); stops once the simplex has collapsed. */
export function nelderMead(
  f: Objective,
  x0: Float64Array,
  lower: number[],
  upper: number[],
  maxEvaluations: number,
  tolerance = 1e-10,
  step = 0.5
): { theta: Float64Array; value: number; iterations: number } {
  const n = x0.length;
  // Adaptive coefficients (Gao & Han 2012): the classic ones for n = 2, gentler expansion above.
  const alpha = 1, beta = 1 + 2 / n, gamma = 0.75 - 1 / (2 * n), delta = 1 - 1 / n;
  const clamp = (p: Float64Array) => {
    for (let i = 0; i < n; i++) p[i] = Math.min(upper[i], Math.max(lower[i], p[i]));
    return p;
  };
  const points: Float64Array[] = [Float64Array.from(x0)];
  for (let i = 0; i < n; i++) {
    const p = Float64Array.from(x0);
    p[i] += p[i] + step <= upper[i] ? step : -step;
    points.push(clamp(p));
  }
  const values = points.map(f);
  let evaluations = n + 1;
  let iterations = 0;
  const order = Array.from({ length: n + 1 }, (_, i) => i);
  const centroid = new Float64Array(n);
  const trial = (from: Float64Array, coefficient: number) =>
    clamp(Float64Array.from(centroid, (c, i) => c + coefficient * (from[i] - c)));
  while (evaluations < maxEvaluations) {
    order.sort((i, j) => values[i] - values[j] || i - j);
    const best = order[0], worst = order[n], second = order[n - 1];
    const spread = values[worst] - values[best];
    let size = 0;
    for (const k of order) for (let i = 0; i < n; i++) size = Math.max(size, Math.abs(points[k][i] - points[best][i]));
    if ((Number.isFinite(spread) && spread <= tolerance * (Math.abs(values[best]) + 1)) || size < 1e-9) break;
    iterations++;
    centroid.fill(0);
    for (const k of order.slice(0, n)) for (let i = 0; i < n; i++) centroid[i] += points[k][i] / n;
    const reflected = trial(points[worst], -alpha);
    const fr = f(reflected);
    evaluations++;
    if (fr < values[best]) {
      const expanded = trial(points[worst], -alpha * beta);
      const fe = f(expanded);
      evaluations++;
      if (fe < fr) [points[worst], values[worst]] = [expanded, fe];
      else [points[worst], values[worst]] = [reflected, fr];
    } else if (fr < values[second]) {
      [points[worst], values[worst]] = [reflected, fr];
    } else {
      const outside = fr < values[worst];
      const contracted = outside ? trial(reflected, gamma) : trial(points[worst], gamma);
      const fc = f(contracted);
      evaluations++;
      if (fc < (outside ? fr : values[worst])) {
        [points[worst], values[worst]] = [contracted, fc];
      } else {
        for (const k of order.slice(1)) {
          for (let i = 0; i < n; i++) points[k][i] = points[best][i] + delta * (points[k][i] - points[best][i]);
          values[k] = f(points[k]);
          evaluations++;
        }
      }
    }
  }
  let best = 0;
  for (let k = 1; k <= n; k++) if (values[k] < values[best]) best = k;
  return { theta: points[best], value: values[best], iterations };
}

function centralDifferenceGradient(f: Objective, n: number): ObjectiveWithGradient {
  const probe = new Float64Array(n);
  return (t, g) => {
    const v = f(t);
    for (let i = 0; i < n; i++) {
      const h = 1e-5 * Math.max(1, Math.abs(t[i]));
      probe.set(t);
      probe[i] = t[i] + h;
      const up = f(probe);
      probe[i] = t[i] - h;
      const down = f(probe);
      // At a bound one side is +∞: fall back to the one-sided difference.
      g[i] = Number.isFinite(up) && Number.isFinite(down) ? (up - down) / (2 * h)
        : Number.isFinite(up) ? (up - v) / h
        : Number.isFinite(down) ? (v - down) / h : 0;
    }
    return v;
  };
}

/**
 * BFGS with a backtracking (Armijo) line search, projected onto the box: a coordinate at a
 * bound whose gradient pushes outward is held there (and does not count against convergence),
 * trial points are clamped into the box. The inverse-Hessian update is skipped when the
 * curvature condition fails. Converged when ‖g‖∞ ≤ 1e-9 · max(1, |f|) (for a log-likelihood
 * the parameters are then fixed to far more digits than their standard errors carry), or when
 * no step lowers f any more (f's rounding level) with ‖g‖∞ ≤ 1e-7 · max(1, |f|).
 */
function bfgs(
  f: Objective,
  grad: ObjectiveWithGradient,
  x0: Float64Array,
  lower: number[],
  upper: number[],
  budget: () => boolean,
  inverseHessian?: Float64Array
): { theta: Float64Array; value: number; iterations: number; converged: boolean; stalled: boolean; gradientNorm: number } {
  const n = x0.length;
  let x = Float64Array.from(x0);
  let g = new Float64Array(n);
  let fx = grad(x, g);
  const H = inverseHessian ? Float64Array.from(inverseHessian) : new Float64Array(n * n);
  if (!inverseHessian) for (let i = 0; i < n; i++) H[i * n + i] = 1;
  const d = new Float64Array(n), s = new Float64Array(n), y = new Float64Array(n), Hy = new Float64Array(n);
  let gNext = new Float64Array(n);
  let iterations = 0;
  let scaled = inverseHessian !== undefined;
  const norm = (v: Float64Array) => v.reduce((m, e) => Math.max(m, Math.abs(e)), 0);
  const tolerance = () => 1e-9 * Math.max(1, Math.abs(fx));
  // Held at a bound: at the lower bound with g > 0, or at the upper bound with g < 0.
  const held = (v: Float64Array, i: number, gi: number) =>
    (v[i] <= lower[i] + 1e-12 && gi > 0) || (v[i] >= upper[i] - 1e-12 && gi < 0);
  const projectedNorm = (v: Float64Array, gv: Float64Array) => {
    let m = 0;
    for (let i = 0; i < n; i++) if (!held(v, i, gv[i])) m = Math.max(m, Math.abs(gv[i]));
    return m;
  };
  let stalled = false;
  while (Number.isFinite(fx) && projectedNorm(x, g) > tolerance() && iterations < 200 && budget()) {
    iterations++;
    // Decouple held coordinates from the others, then d = −H g with d = 0 on them.
    for (let i = 0; i < n; i++) {
      if (held(x, i, g[i])) for (let j = 0; j < n; j++) if (j !== i) H[i * n + j] = H[j * n + i] = 0;
    }
    for (let i = 0; i < n; i++) {
      let v = 0;
      for (let j = 0; j < n; j++) v -= H[i * n + j] * g[j];
      d[i] = held(x, i, g[i]) ? 0 : v;
    }
    let slope = 0;
    for (let i = 0; i < n; i++) slope += d[i] * g[i];
    if (!(slope < 0)) {
      // Not a descent direction: restart from steepest descent.
      H.fill(0);
      for (let i = 0; i < n; i++) H[i * n + i] = 1;
      slope = 0;
      for (let i = 0; i < n; i++) {
        d[i] = held(x, i, g[i]) ? 0 : -g[i];
        slope -= d[i] * d[i];
      }
    }
    // Keep the first trial step modest in θ (ln-parameters): at most 1 per coordinate.
    let step = Math.min(1, 1 / Math.max(1e-12, norm(d)));
    let accepted = false;
    const xNext = new Float64Array(n);
    let fNext = Infinity;
    for (let k = 0; k < 40; k++) {
      for (let i = 0; i < n; i++) xNext[i] = Math.min(upper[i], Math.max(lower[i], x[i] + step * d[i]));
      fNext = f(xNext);
      if (fNext <= fx + 1e-4 * step * slope) {
        accepted = true;
        break;
      }
      if (k === 0 && Math.abs(fNext - fx) <= 1e-12 * Math.abs(fx)) {
        // Near the optimum f changes by less than its rounding: judge the full step by the
        // gradient instead, which still resolves it.
        const v = grad(xNext, gNext);
        if (projectedNorm(xNext, gNext) < projectedNorm(x, g)) {
          fNext = v;
          accepted = true;
          break;
        }
      }
      step *= 0.5;
    }
    let moved = false;
    for (let i = 0; i < n; i++) if (xNext[i] !== x[i]) moved = true;
    if (!accepted || !moved) {
      stalled = true;
      break;
    }
    fNext = grad(xNext, gNext);
    let sy = 0, yHy = 0, yy = 0;
    for (let i = 0; i < n; i++) {
      s[i] = xNext[i] - x[i];
      y[i] = gNext[i] - g[i];
      sy += s[i] * y[i];
      yy += y[i] * y[i];
    }
    if (sy > 1e-12 * Math.sqrt(yy) * norm(s)) {
      if (!scaled) {
        // Scale the initial inverse Hessian to the curvature just seen (Nocedal & Wright 6.20).
        const scale = sy / yy;
        for (let i = 0; i < n; i++) H[i * n + i] = scale;
        scaled = true;
      }
      for (let i = 0; i < n; i++) {
        let v = 0;
        for (let j = 0; j < n; j++) v += H[i * n + j] * y[j];
        Hy[i] = v;
        yHy += y[i] * v;
      }
      const rho = 1 / sy;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          H[i * n + j] += -rho * (Hy[i] * s[j] + s[i] * Hy[j]) + (rho * rho * yHy + rho) * s[i] * s[j];
        }
      }
    }
    x = xNext;
    fx = fNext;
    [g, gNext] = [gNext, g];
  }
  const gradientNorm = projectedNorm(x, g);
  // Stalled with a gradient this small is the rounding floor of f, not a failure.
  const converged = gradientNorm <= tolerance() || (stalled && gradientNorm <= 100 * tolerance());
  return { theta: x, value: fx, iterations, converged, stalled, gradientNorm };
}

/**
 * Hessian by central differences: of the analytic gradient when there is one (one difference
 * per column, symmetrised), else second differences of f.
 */
export function hessian(f: Objective, theta: number[], gradient?: ObjectiveWithGradient, h = 1e-4): Float64Array {
  const n = theta.length;
  const H = new Float64Array(n * n);
  const t = Float64Array.from(theta);
  if (gradient) {
    const gUp = new Float64Array(n), gDown = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      t[j] = theta[j] + h;
      gradient(t, gUp);
      t[j] = theta[j] - h;
      gradient(t, gDown);
      t[j] = theta[j];
      for (let i = 0; i < n; i++) H[i * n + j] = (gUp[i] - gDown[i]) / (2 * h);
    }
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < i; j++) {
        const v = (H[i * n + j] + H[j * n + i]) / 2;
        H[i * n + j] = H[j * n + i] = v;
      }
    }
    return H;
  }
  const f0 = f(t);
  const at = (i: number, di: number, j: number, dj: number) => {
    t[i] += di;
    t[j] += dj;
    const v = f(t);
    t[i] = theta[i];
    t[j] = theta[j];
    return v;
  };
  for (let i = 0; i < n; i++) {
    H[i * n + i] = (at(i, h, i, 0) - 2 * f0 + at(i, -h, i, 0)) / (h * h);
    for (let j = 0; j < i; j++) {
      const v = (at(i, h, j, h) - at(i, h, j, -h) - at(i, -h, j, h) + at(i, -h, j, -h)) / (4 * h * h);
      H[i * n + j] = H[j * n + i] = v;
    }
  }
  return H;
}

/** Inverse of a symmetric positive-definite matrix by Cholesky; null when not positive definite. */
export function invertSpd(A: Float64Array, n: number): Float64Array | null {
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = A[i * n + j];
      for (let k = 0; k < j; k++) sum -= L[i * n + k] * L[j * n + k];
      if (i === j) {
        if (!(sum > 0)) return null;
        L[i * n + i] = Math.sqrt(sum);
      } else {
        L[i * n + j] = sum / L[j * n + j];
      }
    }
  }
  // Invert L, then A⁻¹ = L⁻ᵀ L⁻¹.
  const Li = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    Li[i * n + i] = 1 / L[i * n + i];
    for (let j = 0; j < i; j++) {
      let sum = 0;
      for (let k = j; k < i; k++) sum -= L[i * n + k] * Li[k * n + j];
      Li[i * n + j] = sum / L[i * n + i];
    }
  }
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = 0;
      for (let k = i; k < n; k++) sum += Li[k * n + i] * Li[k * n + j];
      inv[i * n + j] = inv[j * n + i] = sum;
    }
  }
  return inv;
}

export interface PositiveFit {
  params: number[];
  /** Inverse Hessian of the minimised function in θ = ln p (n × n), null when not positive definite. */
  inverseHessian: Float64Array | null;
  /** The minimised negative log-likelihood. */
  value: number;
  /** Delta-method standard errors of the natural parameters; null entries where undefined. */
  standardErrors: (number | null)[];
  converged: boolean;
  atBound: boolean[];
  evaluations: number;
  iterations: number;
}

/**
 * Minimises a function of positive parameters through θ = ln p: `nll(p)` and optionally
 * `nllGradient(p, g)` (∂/∂p, converted here by the chain rule ∂/∂θ = p ∂/∂p). Bounds are on p.
 */
export function fitPositive(
  nll: (p: Float64Array) => number,
  start: number[],
  bounds: { lower: number[]; upper: number[] },
  nllGradient?: (p: Float64Array, g: Float64Array) => number,
  options: { skipSimplex?: boolean; inverseHessian?: Float64Array } = {}
): PositiveFit {
  const n = start.length;
  const p = new Float64Array(n);
  const toP = (theta: Float64Array) => {
    for (let i = 0; i < n; i++) p[i] = Math.exp(theta[i]);
    return p;
  };
  const f: Objective = (theta) => nll(toP(theta));
  const gradient: ObjectiveWithGradient | undefined = nllGradient
    ? (theta, g) => {
        const v = nllGradient(toP(theta), g);
        for (let i = 0; i < n; i++) g[i] *= p[i];
        return v;
      }
    : undefined;
  const lower = bounds.lower.map(Math.log), upper = bounds.upper.map(Math.log);
  const result = minimize(f, start.map(Math.log), { lower, upper, gradient, ...options });
  const params = result.theta.map(Math.exp);
  const H = hessian(f, result.theta, gradient);
  const inv = invertSpd(H, n);
  const standardErrors = params.map((v, i) =>
    inv && !result.atBound[i] && inv[i * n + i] > 0 ? v * Math.sqrt(inv[i * n + i]) : null
  );
  return {
    params,
    inverseHessian: inv,
    value: result.value,
    standardErrors,
    converged: result.converged,
    atBound: result.atBound,
    evaluations: result.evaluations,
    iterations: result.iterations
  };
}

/**
 * The warm start for a large fit: a fit on a subsample of `subCustomers` of `customers`. Its
 * optimum is the start and its inverse Hessian, scaled by subCustomers / customers (the
 * log-likelihood grows with the customers), BFGS's first curvature estimate, so the polish on
 * all customers starts with nearly a Newton step.
 */
export function warmStart(sub: PositiveFit, subCustomers: number, customers: number): { start: number[]; options: { skipSimplex: boolean; inverseHessian?: Float64Array } } {
  const ratio = subCustomers / customers;
  return {
    start: sub.params,
    options: { skipSimplex: true, inverseHessian: sub.inverseHessian ? sub.inverseHessian.map((v) => v * ratio) : undefined }
  };
}
