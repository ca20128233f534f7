/** An algorithm's parameters: its defaults, overridden by every given value that is not undefined. */
export function withDefaults<P extends object>(defaults: P, params: Partial<P> | undefined): P {
  const out = { ...defaults };
  for (const [key, value] of Object.entries(params ?? {})) if (value !== undefined) (out as Record<string, unknown>)[key] = value;
  return out;
}

/**
 * Whether a start's score (inertia: lower is better) beats the best so far by more than rounding.
 * Two starts that reach the same segments (in another label order) score equal but for the last
 * bits, which the order of a sum decides — a database adding amounts in another order than a file
 * would otherwise pick the other start, and number the same segments differently.
 */
export function clearlyLower(score: number, best: number): boolean {
  return Number.isFinite(best) ? score < best - 1e-12 * Math.abs(best) : score < best;
}
