/**
 * Kneedle (Satopää, Albrecht, Irwin & Raghavan 2011, "Finding a 'Kneedle' in a Haystack"),
 * offline, as the `kneed` Python package's KneeLocator does it with its defaults
 * (interp_method "interp1d", i.e. the data points themselves; S = 1; first knee found).
 * For the elbow of inertia against k use curve "convex", direction "decreasing".
 *
 * 1. Normalise x and y to [0, 1] (min → 0, max → 1).
 * 2. Reflect the curve so that it becomes concave and increasing (a "knee"):
 *      convex  decreasing → y' = 1 − y
 *      concave increasing → unchanged
 *      concave decreasing → mirror left-right (y' = y reversed)
 *      convex  increasing → both (y' = (1 − y) reversed).
 *    kneed reverses y but not x when mirroring; we mirror x too (x' = 1 − x reversed). With
 *    evenly spaced x (k = 1, 2, 3, …) the two are identical.
 * 3. Difference curve D(i) = y'(i) − x'(i): how far the curve rises above the diagonal.
 * 4. Local maxima of D (D(i) ≥ both neighbours, an end compared with itself) are knee
 *    candidates; local minima likewise with ≤.
 * 5. Each maximum gets a threshold T = D(max) − S · mean(Δx), with mean(Δx) = 1/(n−1) after
 *    normalisation. Walking right from the first maximum, the threshold is reset at every
 *    maximum (to its T) and at every minimum (to 0); the first time D at the next point drops
 *    below the current threshold, the last maximum is the knee. Reaching the last point
 *    without that means no knee (null).
 * The knee is returned as an original x value, mapped back through the mirroring.
 */
import { checkParam, WorkbenchError } from "../errors.ts";

export interface KneedleOptions {
  curve?: "convex" | "concave";
  direction?: "decreasing" | "increasing";
  /** S in the paper: larger waits for a clearer knee (default 1). */
  sensitivity?: number;
}

export function kneedle(xs: ArrayLike<number>, ys: ArrayLike<number>, opts: KneedleOptions = {}): number | null {
  const curve = opts.curve ?? "convex";
  const direction = opts.direction ?? "decreasing";
  const S = opts.sensitivity ?? 1;
  checkParam(curve === "convex" || curve === "concave", "curve", curve, '"convex" or "concave"');
  checkParam(direction === "decreasing" || direction === "increasing", "direction", direction, '"decreasing" or "increasing"');
  checkParam(Number.isFinite(S) && S >= 0, "sensitivity", S, "a finite number ≥ 0");
  const n = xs.length;
  if (ys.length !== n) {
    throw new WorkbenchError("kneedle: xs and ys have different lengths", {
      found: `${n} and ${ys.length}`,
      expected: "one y per x"
    });
  }
  for (let i = 0; i < n; i++) {
    checkParam(Number.isFinite(xs[i]), `xs[${i}]`, xs[i], "a finite number");
    checkParam(Number.isFinite(ys[i]), `ys[${i}]`, ys[i], "a finite number");
    if (i > 0) checkParam(xs[i] > xs[i - 1], `xs[${i}]`, xs[i], `greater than xs[${i - 1}] = ${xs[i - 1]} (x must increase)`);
  }
  if (n < 3) return null;
  let yMin = Infinity;
  let yMax = -Infinity;
  for (let i = 0; i < n; i++) {
    yMin = Math.min(yMin, ys[i]);
    yMax = Math.max(yMax, ys[i]);
  }
  if (yMax === yMin) return null; // a flat curve has no knee

  const xSpan = xs[n - 1] - xs[0];
  const mirror = (curve === "concave" && direction === "decreasing") || (curve === "convex" && direction === "increasing");
  const flipY = curve === "convex";
  const x = new Float64Array(n);
  const diff = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const src = mirror ? n - 1 - i : i;
    const xn = (xs[src] - xs[0]) / xSpan;
    const yn = (ys[src] - yMin) / (yMax - yMin);
    x[i] = mirror ? 1 - xn : xn;
    diff[i] = (flipY ? 1 - yn : yn) - x[i];
  }

  const isMax = (i: number) => diff[i] >= diff[Math.max(i - 1, 0)] && diff[i] >= diff[Math.min(i + 1, n - 1)];
  const isMin = (i: number) => diff[i] <= diff[Math.max(i - 1, 0)] && diff[i] <= diff[Math.min(i + 1, n - 1)];
  let first = -1;
  for (let i = 0; i < n && first < 0; i++) if (isMax(i)) first = i;
  if (first < 0) return null;

  const step = 1 / (n - 1);
  let threshold = 0;
  let thresholdIndex = first;
  for (let i = first; i < n - 1; i++) {
    if (isMax(i)) {
      threshold = diff[i] - S * step;
      thresholdIndex = i;
    }
    if (isMin(i)) threshold = 0;
    if (diff[i + 1] < threshold) return xs[mirror ? n - 1 - thresholdIndex : thresholdIndex];
  }
  return null;
}
