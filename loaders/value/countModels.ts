/**
 * The two count models behind one interface, so selection, holdout checks and CLV are written
 * once. Selection rule: the lower BIC on the calibration data, BIC = −2 ln L + k ln n with
 * n = customers in the calibration cohort. Both models have k = 4 parameters, so this is the
 * higher log-likelihood; a tie (to 1e-9 relative) goes to the BG/NBD, the cheaper to evaluate.
 */
import {
  BGNBD_NAMES, bgnbdConditionalExpected, bgnbdConditionalExpectedCurve, bgnbdExpected, bgnbdLikelihood,
  bgnbdPAlive, bgnbdPAliveMany, fitBgNbd, type BgNbdParams
} from "./bgnbd.ts";
import {
  PNBD_NAMES, fitParetoNbd, pnbdConditionalExpected, pnbdConditionalExpectedCurve, pnbdExpected, pnbdLikelihood,
  pnbdPAlive, pnbdPAliveMany, type ParetoNbdParams
} from "./paretoNbd.ts";
import type { CountModel } from "./countTypes.ts";

export type { CountModel, CountFit, CountParams } from "./countTypes.ts";

export const bgnbd: CountModel<BgNbdParams> = {
  name: "bgnbd",
  label: "BG/NBD",
  parameterNames: BGNBD_NAMES,
  fit: (triples) => fitBgNbd(triples),
  logLikelihood: (p, triples) => bgnbdLikelihood(triples)([p.r, p.alpha, p.a, p.b]),
  pAlive: bgnbdPAlive,
  conditionalExpected: bgnbdConditionalExpected,
  expected: bgnbdExpected,
  pAliveMany: bgnbdPAliveMany,
  conditionalExpectedCurve: bgnbdConditionalExpectedCurve
};

export const pnbd: CountModel<ParetoNbdParams> = {
  name: "pnbd",
  label: "Pareto/NBD",
  parameterNames: PNBD_NAMES,
  fit: (triples) => fitParetoNbd(triples),
  logLikelihood: (p, triples) => pnbdLikelihood(triples)([p.r, p.alpha, p.s, p.beta]),
  pAlive: pnbdPAlive,
  conditionalExpected: pnbdConditionalExpected,
  expected: pnbdExpected,
  pAliveMany: pnbdPAliveMany,
  conditionalExpectedCurve: pnbdConditionalExpectedCurve
};

export const countModels = { bgnbd, pnbd } as const;
export type CountModelName = keyof typeof countModels;

/** BIC = −2 ln L + k ln n. */
export function bic(logLikelihood: number, parameters: number, customers: number): number {
  return -2 * logLikelihood + parameters * Math.log(customers);
}

export const SELECTION_RULE =
  "lower BIC on the calibration data (both models have 4 parameters, so the higher log-likelihood); a tie goes to BG/NBD";

/** The model with the lower BIC (see the module comment). */
export function chooseCountModel(bics: { bgnbd: number; pnbd: number }): CountModelName {
  return bics.pnbd < bics.bgnbd - 1e-9 * Math.abs(bics.bgnbd) ? "pnbd" : "bgnbd";
}
