/** Shapes shared by the count models (BG/NBD, Pareto/NBD) and the code that is generic over them. */
import type { Triples } from "./triples.ts";

export type CountParams = { [name: string]: number };

/** A fitted count model: plain data. */
export interface CountFit<P extends CountParams> {
  params: P;
  logLikelihood: number;
  /** Delta-method standard errors of the natural parameters (null where undefined, e.g. at a bound). */
  standardErrors: { [K in keyof P]: number | null };
  converged: boolean;
  /** Parameters that ended at a bound of the search (the likelihood is flat that way). */
  atBound: string[];
  evaluations: number;
}

/** One declaration per count model; selection, holdout and CLV code use only this. */
export interface CountModel<P extends CountParams = CountParams> {
  /** Id used in results: "bgnbd" or "pnbd". */
  name: "bgnbd" | "pnbd";
  /** Display name, e.g. "BG/NBD". */
  label: string;
  parameterNames: readonly (keyof P & string)[];
  fit(triples: Triples): CountFit<P>;
  /** Σ over customers of the log-likelihood. */
  logLikelihood(params: P, triples: Triples): number;
  pAlive(params: P, x: number, tx: number, T: number): number;
  /** E[Y(t) | x, tx, T]: expected purchases in the next t periods. */
  conditionalExpected(params: P, t: number, x: number, tx: number, T: number): number;
  /** E[X(t)]: expected repeat purchases in the first t periods of a new customer. */
  expected(params: P, t: number): number;
  /** Per triple, P(alive). */
  pAliveMany(params: P, triples: Triples): Float64Array;
  /** Per triple, E[Y(t_j) | …] for each t_j: row-major triples.n × horizon.length. */
  conditionalExpectedCurve(params: P, triples: Triples, horizon: Float64Array): Float64Array;
}

/** A model's log-likelihood summed over customers, writing its gradient into `grad` when given. */
export type LogLikelihood = (p: ArrayLike<number>, grad?: Float64Array) => number;
