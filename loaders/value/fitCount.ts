/**
 * Maximum likelihood for a count model, the same for every model: minimise the negative
 * log-likelihood over positive parameters (optimize.ts), from `start`; above
 * 2 × WARM_START_CUSTOMERS customers (and without a start of the caller's), first on every k-th
 * customer, then polishing on all of them from that optimum.
 */
import { fitPositive, warmStart, type PositiveFit } from "./optimize.ts";
import { WARM_START_CUSTOMERS, thinTriples, type Triples } from "./triples.ts";
import type { CountFit, LogLikelihood } from "./countTypes.ts";

export function fitCountModel<N extends string>(
  names: readonly N[],
  likelihood: (triples: Triples) => LogLikelihood,
  bounds: { lower: number[]; upper: number[] },
  triples: Triples,
  start: number[],
  { warm = true }: { warm?: boolean } = {}
): CountFit<Record<N, number>> {
  const run = (t: Triples, from: number[], options?: Parameters<typeof fitPositive>[4]): PositiveFit => {
    const ll = likelihood(t);
    return fitPositive((p) => -ll(p), from, bounds, (p, g) => {
      const v = -ll(p, g);
      for (let i = 0; i < g.length; i++) g[i] = -g[i];
      return v;
    }, options);
  };
  const sub = warm ? thinTriples(triples, WARM_START_CUSTOMERS) : null;
  let fit: PositiveFit;
  if (sub) {
    const w = warmStart(run(sub, start), sub.customers, triples.customers);
    fit = run(triples, w.start, w.options);
  } else fit = run(triples, start);
  const byName = <T>(values: T[]) => Object.fromEntries(names.map((name, i) => [name, values[i]])) as Record<N, T>;
  return {
    params: byName(fit.params),
    logLikelihood: -fit.value,
    standardErrors: byName(fit.standardErrors),
    converged: fit.converged,
    atBound: names.filter((_, i) => fit.atBound[i]),
    evaluations: fit.evaluations
  };
}
