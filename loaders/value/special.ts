/**
 * Special functions for the customer-base models: log-gamma, digamma, log-beta, and the Gauss
 * hypergeometric function 2F1 on 0 ≤ z < 1, which is all the BG/NBD and Pareto/NBD need.
 *
 * lnGamma and digamma shift the argument up to ≥ 10 by the recurrence and then use Stirling's
 * asymptotic series; both are accurate to a few units in the last place (≈ 1e-15 relative,
 * absolute near the zeros of lnΓ at 1 and 2), checked against scipy in test/value-special.test.ts.
 */

const HALF_LOG_TWO_PI = 0.9189385332046728; // ½ ln 2π

/** ln Γ(x) for x > 0. */
export function lnGamma(x: number): number {
  if (!(x > 0)) return x === 0 ? Infinity : NaN;
  if (x < 10) {
    // Γ(x) = Γ(x + k) / (x (x+1) … (x+k-1)): one log of the product keeps full accuracy.
    let product = 1;
    let y = x;
    while (y < 10) {
      product *= y;
      y += 1;
    }
    return stirling(y) - Math.log(product);
  }
  return stirling(x);
}

/** Stirling's series for ln Γ(x), x ≥ 10: the truncation error is below 1e-19 relative. */
function stirling(x: number): number {
  const inv = 1 / x;
  const inv2 = inv * inv;
  // Bernoulli terms B2k / (2k (2k-1) x^(2k-1)), k = 1..6.
  const series =
    inv *
    (1 / 12 +
      inv2 * (-1 / 360 + inv2 * (1 / 1260 + inv2 * (-1 / 1680 + inv2 * (1 / 1188 + inv2 * (-691 / 360360))))));
  return (x - 0.5) * Math.log(x) - x + HALF_LOG_TWO_PI + series;
}

/** ψ(x) = d/dx ln Γ(x) for x > 0. */
export function digamma(x: number): number {
  if (!(x > 0)) return NaN;
  let shift = 0;
  while (x < 10) {
    shift -= 1 / x;
    x += 1;
  }
  const inv = 1 / x;
  const inv2 = inv * inv;
  // ψ(x) ~ ln x − 1/(2x) − Σ B2k / (2k x^2k)
  const series =
    inv2 * (1 / 12 + inv2 * (-1 / 120 + inv2 * (1 / 252 + inv2 * (-1 / 240 + inv2 * (1 / 132 + inv2 * (-691 / 32760 + inv2 / 12))))));
  return shift + Math.log(x) - 0.5 * inv - series;
}

/** ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b). */
export function lnBeta(a: number, b: number): number {
  return lnGamma(a) + lnGamma(b) - lnGamma(a + b);
}

/** ln(e^a + e^b) without overflow; −∞ when both are −∞. */
export function logAddExp(a: number, b: number): number {
  if (a < b) {
    const t = a;
    a = b;
    b = t;
  }
  if (a === -Infinity) return -Infinity;
  return a + Math.log1p(Math.exp(b - a));
}

/** ln(e^a − e^b) for a ≥ b; −∞ when a = b. */
export function logSubExp(a: number, b: number): number {
  if (b === -Infinity) return a;
  const d = b - a;
  return d < 0 ? a + Math.log(-Math.expm1(d)) : -Infinity;
}

/** Largest number of series terms before giving up (each is a few flops). */
const MAX_TERMS = 200_000;
const EPS = 1e-16;

/**
 * 2F1(a, b; c; z) for 0 ≤ z < 1 and c > 0 (c not a negative integer).
 *
 * The Gauss series Σ (a)ₙ(b)ₙ / ((c)ₙ n!) zⁿ converges for |z| < 1, but when c − a − b < 0 its
 * terms first grow like n^(a+b−c−1) zⁿ (a customer with many purchases makes a + b large), so we
 * then sum Euler's transformation 2F1(a, b; c; z) = (1 − z)^(c−a−b) 2F1(c − a, c − b; c; z),
 * whose terms decay from the start. NaN if the series does not converge (z ≥ 1, or a
 * pathological argument), so a likelihood treats the point as impossible.
 */
export function hyp2f1(a: number, b: number, c: number, z: number): number {
  if (!(z >= 0 && z < 1)) return NaN;
  if (z === 0) return 1;
  if (c - a - b < 0) {
    const s = series(c - a, c - b, c, z);
    if (Number.isFinite(s)) return Math.exp((c - a - b) * Math.log1p(-z)) * s;
  }
  return series(a, b, c, z);
}

/**
 * ln 2F1(a, b; c; z), in logs so that large values (Euler's prefactor (1 − z)^(c−a−b) can be
 * huge for a heavy buyer) do not overflow; NaN where 2F1 ≤ 0 (never for positive a, b, c).
 */
export function log2F1(a: number, b: number, c: number, z: number): number {
  if (!(z >= 0 && z < 1)) return NaN;
  if (z === 0) return 0;
  if (c - a - b < 0) {
    const s = series(c - a, c - b, c, z);
    if (s > 0) return (c - a - b) * Math.log1p(-z) + Math.log(s);
  }
  const s = series(a, b, c, z);
  return s > 0 ? Math.log(s) : NaN;
}

/**
 * The plain Gauss series. It stops once the remaining tail is below EPS of the sum: from the
 * term where the term ratio ρₙ = (a+n)(b+n)z / ((c+n)(n+1)) is below 1 the ratios tend to z, so
 * the tail is at most |termₙ| · ρ / (1 − ρ) with ρ = max(ρₙ, z) (ratios decreasing towards z are
 * bounded by ρₙ, ratios increasing towards z by z).
 */
function series(a: number, b: number, c: number, z: number): number {
  let term = 1;
  let sum = 1;
  let compensation = 0; // Neumaier summation: alternating starts cancel without losing digits
  for (let n = 0; n < MAX_TERMS; n++) {
    const ratio = ((a + n) * (b + n) * z) / ((c + n) * (n + 1));
    term *= ratio;
    const t = sum + term;
    compensation += Math.abs(sum) >= Math.abs(term) ? sum - t + term : term - t + sum;
    sum = t;
    if (term === 0) break;
    const rho = Math.max(Math.abs(ratio), z);
    if (rho < 1 && Math.abs(term) * rho <= EPS * (1 - rho) * Math.abs(sum)) return sum + compensation;
  }
  return NaN;
}

/**
 * ln 2F1(m, b; m + 1; z) for m, b > 0, 0 ≤ z < 1: the form in the Pareto/NBD likelihood and
 * P(alive). Euler's transformation gives (1 − z)^(1−b) 2F1(1, m + 1 − b; m + 1; z), a series of
 * positive terms whose ratios (m + 1 − b + n) z / (m + 1 + n) stay below z, so it converges at
 * least geometrically and never cancels. Inlined here because it is the likelihood's inner loop.
 */
export function log2F1Pareto(m: number, b: number, z: number): number {
  if (z === 0) return 0;
  if (!(z > 0 && z < 1)) return NaN;
  if (z > SERIES_LIMIT) return log2F1ParetoIntegral(m, b, z);
  const p = m + 1 - b;
  const q = m + 1;
  let term = 1;
  let sum = 1;
  let n = 0;
  for (; n < MAX_TERMS; n++) {
    const ratio = ((p + n) / (q + n)) * z;
    term *= ratio;
    sum += term;
    // Ratios increase towards z, so the tail is below term · z / (1 − z).
    if (term * z <= EPS * (1 - z) * sum) break;
  }
  if (n === MAX_TERMS) sum += (term * z) / (1 - z); // an upper bound on the tail; not reached below SERIES_LIMIT
  return (1 - b) * Math.log1p(-z) + Math.log(sum);
}

/**
 * log2F1Pareto and its partial derivatives: writes ∂/∂m, ∂/∂b, ∂/∂z of ln 2F1(m, b; m+1; z)
 * into g[0..2]. The derivatives of the Euler series G = Σ tₙ, tₙ = Π_{k<n} (p+k)/(q+k) · z,
 * are summed with it: ∂tₙ/∂p = tₙ Σ_{k<n} 1/(p+k), ∂tₙ/∂q = −tₙ Σ_{k<n} 1/(q+k), ∂tₙ/∂z = n tₙ / z.
 */
export function log2F1ParetoWithGradient(m: number, b: number, z: number, g: Float64Array): number {
  const p = m + 1 - b;
  const q = m + 1;
  if (z === 0) {
    g[0] = 0;
    g[1] = 0;
    g[2] = -(1 - b) + p / q;
    return 0;
  }
  if (!(z > 0 && z < 1)) {
    g[0] = g[1] = g[2] = NaN;
    return NaN;
  }
  if (z > SERIES_LIMIT) return log2F1ParetoIntegral(m, b, z, g);
  let term = 1, sum = 1, dp = 0, dq = 0, dz = 0, sp = 0, sq = 0;
  const tailScale = 1 / ((1 - z) * (1 - z));
  for (let n = 0; n < MAX_TERMS; n++) {
    sp += 1 / (p + n);
    sq += 1 / (q + n);
    term *= ((p + n) / (q + n)) * z;
    sum += term;
    dp += term * sp;
    dq -= term * sq;
    dz += (term * (n + 1)) / z;
    // The derivative series carry an extra factor ~n, so their tails need (1 − z)² margin.
    if (term * (n + 2) * tailScale <= EPS * sum) break;
  }
  const lp = dp / sum, lq = dq / sum, lz = dz / sum;
  g[0] = lp + lq;
  g[1] = -Math.log1p(-z) - lp;
  g[2] = -(1 - b) / (1 - z) + lz;
  return (1 - b) * Math.log1p(-z) + Math.log(sum);
}

/**
 * Above this z the series for 2F1(m, b; m+1; z) needs thousands of terms (its ratios tend to
 * z), which happens when the fit explores β ≫ α, e.g. towards the exponential-dropout limit
 * s, β → ∞ of data without dropout heterogeneity. There we integrate instead.
 */
const SERIES_LIMIT = 0.98;

/**
 * ln 2F1(m, b; m+1; z) from Euler's integral, substituting u = e^(−w/m):
 *   2F1(m, b; m+1; z) = m ∫₀¹ u^(m−1) (1 − z u)^(−b) du = ∫₀^∞ e^(−w) (1 − z e^(−w/m))^(−b) dw.
 * The log-integrand φ(w) = −w − b ln(1 − z e^(−w/m)) is convex and decreasing, so the mass sits
 * near w = 0 within a width of about m(1 − z), with a tail decaying at least like e^(−w). The
 * substitution w = ε(e^σ − 1), ε = min(1, m(1 − z)), resolves both; composite 20-point
 * Gauss–Legendre over σ up to the W where φ(W) < −40 (the tail beyond is below e^−40, and the
 * integral is ≥ 1) gives ~1e-14 relative accuracy, in logs via log-sum-exp. With g, also writes
 * ∂/∂m, ∂/∂b, ∂/∂z of the log (posterior means of ∂φ under the integrand's weights).
 */
export function log2F1ParetoIntegral(m: number, b: number, z: number, g?: Float64Array): number {
  const phi = (w: number) => -w - b * Math.log1p(-z * Math.exp(-w / m));
  let W = 40;
  for (let k = 0; k < 60; k++) {
    const next = 40 + b * -Math.log1p(-z * Math.exp(-W / m));
    if (Math.abs(next - W) <= 1e-3 * W) break;
    W = next;
  }
  const eps = Math.min(1, m * (1 - z));
  const sigmaMax = Math.log1p(W / eps);
  const panels = Math.max(1, Math.ceil(sigmaMax));
  const width = sigmaMax / panels;
  // Pass 1: the largest log-term, for a stable log-sum-exp; pass 2: the sums.
  let top = -Infinity;
  for (let k = 0; k < panels; k++) {
    for (let j = 0; j < GL_NODES.length; j++) {
      const sigma = (k + 0.5 * (GL_NODES[j] + 1)) * width;
      const v = phi(eps * Math.expm1(sigma)) + sigma;
      if (v > top) top = v;
    }
  }
  let sum = 0, dm = 0, db = 0, dz = 0;
  for (let k = 0; k < panels; k++) {
    for (let j = 0; j < GL_NODES.length; j++) {
      const sigma = (k + 0.5 * (GL_NODES[j] + 1)) * width;
      const w = eps * Math.expm1(sigma);
      const e = Math.exp(-w / m);
      const weight = GL_WEIGHTS[j] * Math.exp(-w - b * Math.log1p(-z * e) + sigma - top);
      sum += weight;
      if (g) {
        const d = 1 - z * e;
        db += weight * -Math.log(d);
        dz += (weight * b * e) / d;
        dm += (weight * b * z * e * w) / (m * m * d);
      }
    }
  }
  if (g) {
    g[0] = dm / sum;
    g[1] = db / sum;
    g[2] = dz / sum;
  }
  return top + Math.log(0.5 * width * eps * sum);
}

/** 20-point Gauss–Legendre nodes and weights on [−1, 1] (Newton's method on P₂₀, at load). */
const [GL_NODES, GL_WEIGHTS] = gaussLegendre(20);

function gaussLegendre(n: number): [Float64Array, Float64Array] {
  const x = new Float64Array(n), w = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let z = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let dp = 0;
    for (let iter = 0; iter < 100; iter++) {
      let p1 = 1, p2 = 0;
      for (let j = 1; j <= n; j++) {
        const p3 = p2;
        p2 = p1;
        p1 = ((2 * j - 1) * z * p2 - (j - 1) * p3) / j;
      }
      dp = (n * (z * p1 - p2)) / (z * z - 1);
      const dz = p1 / dp;
      z -= dz;
      if (Math.abs(dz) < 1e-16) break;
    }
    x[i] = -z;
    w[i] = 2 / ((1 - z * z) * dp * dp);
  }
  return [x, w];
}
