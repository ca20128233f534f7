/**
 * One verdict on a segmentation after a new snapshot: keep it ("stable"), keep it but watch it
 * ("monitor"), or build it again ("resegment"). The rule, checked in this order:
 *
 *   resegment  if any feature's PSI > 0.25, or ARI(carried, refit) < 0.65, or a segment's share
 *              of customers changed by more than 10 points, or a segment mean moved > 1 SD;
 *   monitor    else if any PSI is 0.1 to 0.25, or ARI < 0.8, or a share changed by more than
 *              5 points, or a segment mean moved > 0.5 SD, or fewer than 70 % of returning
 *              customers kept their segment;
 *   stable     otherwise.
 *
 * Every triggered check gives a reason (most severe first); a stable verdict lists the checks it
 * passed. A check whose input is null (no refit, no common customers, nothing to compare) is
 * skipped and says so.
 */
import { checkParam } from "../errors.ts";
import { adjustedRandIndex } from "../evaluate/ari.ts";
import { contingencyTable } from "../evaluate/contingency.ts";
import { PSI_THRESHOLDS } from "./psi.ts";

export const DRIFT_THRESHOLDS = {
  /** Population stability index per feature: Siddiqi (2006), "Credit Risk Scorecards" (see psi.ts). */
  psi: { monitor: PSI_THRESHOLDS.moderate, resegment: PSI_THRESHOLDS.major },
  /**
   * Adjusted Rand index between the carried labels (earlier model on later data) and a fresh
   * fit on the later data: Steinley (2004), "Properties of the Hubert–Arabie adjusted Rand
   * index", Psychological Methods 9(3), calls ARI ≥ 0.90 excellent, ≥ 0.80 good, ≥ 0.65
   * moderate and < 0.65 poor agreement. Below good → monitor; poor → resegment.
   */
  ari: { monitor: 0.8, resegment: 0.65 },
  /**
   * Largest change of a segment's share of all customers, percentage points. No published
   * standard: our convention, chosen because a 5-point swing usually changes campaign sizing and
   * a 10-point swing changes which segments matter.
   */
  sharePoints: { monitor: 5, resegment: 10 },
  /**
   * Largest shift of a segment mean in earlier-snapshot SDs. After Cohen's effect sizes
   * (Cohen 1988, "Statistical Power Analysis for the Behavioral Sciences": d = 0.5 medium,
   * 0.8 large); 1 SD for resegment is stricter than "large" because the overall SD used here
   * is wider than the within-group SD of Cohen's d.
   */
  centroidSd: { monitor: 0.5, resegment: 1 },
  /**
   * Share of returning customers who kept their segment; below this → monitor. No published
   * standard: our convention (with 3–6 segments, losing 3 in 10 customers means profiles and
   * targeting lists are noticeably out of date).
   */
  stayed: { monitor: 0.7 }
} as const;

export type Verdict = "stable" | "monitor" | "resegment";

export interface DriftEvidence {
  /** PSI of each feature, by feature name (psi.ts). */
  psi: Record<string, number>;
  /** Largest absolute change of a segment's share of customers, in percentage points (migration.ts maxShareChange). */
  maxShareChange: number;
  /** Share 0..1 of common customers in the same segment at both snapshots (migration.ts stayedShare); null if none in common. */
  stayed: number | null;
  /** Largest |segment mean shift| in earlier SDs (centroidShift.ts `max`); null if no segment compares. */
  maxCentroidShift: number | null;
  /** Where that largest shift is, in words: the segment's name and the feature. */
  maxCentroidAt?: { segment: string; feature: string } | null;
  /** ARI between carried and refitted labels on common customers (refitAri); null without a refit. */
  ari: number | null;
}

export interface DriftVerdict {
  verdict: Verdict;
  reasons: string[];
}

/**
 * ARI between the earlier model's labels on the later data and a new fit's labels, for the same
 * rows (pass only customers present at both snapshots, see migration.ts commonRows). Noise (−1)
 * counts as one more group, as in evaluate/external.ts.
 */
export function refitAri(carried: ArrayLike<number>, refit: ArrayLike<number>): number {
  return adjustedRandIndex(contingencyTable(carried, refit, { rows: "carried labels", cols: "refitted labels" }));
}

export function driftVerdict(evidence: DriftEvidence): DriftVerdict {
  const T = DRIFT_THRESHOLDS;
  const { psi, maxShareChange, stayed, maxCentroidShift, ari } = evidence;
  const moved = evidence.maxCentroidAt ? `the average of "${evidence.maxCentroidAt.segment}" moved` : "one segment's average moved";
  const onFeature = evidence.maxCentroidAt ? `on "${evidence.maxCentroidAt.feature}"` : "on one feature";
  for (const [name, v] of Object.entries(psi)) checkParam(Number.isFinite(v) && v >= 0, `psi of "${name}"`, v, "a number ≥ 0");
  checkParam(Number.isFinite(maxShareChange), "maxShareChange", maxShareChange, "a number of percentage points");
  checkParam(stayed === null || (stayed >= 0 && stayed <= 1), "stayed", stayed, "a share from 0 to 1, or null");
  checkParam(maxCentroidShift === null || (Number.isFinite(maxCentroidShift) && maxCentroidShift >= 0), "maxCentroidShift", maxCentroidShift, "a number ≥ 0, or null");
  checkParam(ari === null || (ari >= -1 && ari <= 1), "ari", ari, "a number from -1 to 1, or null");

  const resegment: string[] = [];
  const monitor: string[] = [];
  const passed: string[] = [];

  // Features, most shifted first.
  const features = Object.entries(psi).sort((a, b) => b[1] - a[1]);
  for (const [name, v] of features) {
    if (v > T.psi.resegment) {
      resegment.push(`The values of "${name}" are spread very differently now (population stability index ${num(v, T.psi.resegment)}, above ${T.psi.resegment}, which marks a major shift).`);
    } else if (v >= T.psi.monitor) {
      monitor.push(`The values of "${name}" have shifted somewhat (population stability index ${num(v, T.psi.monitor, T.psi.resegment)}; ${T.psi.monitor} to ${T.psi.resegment} is a change worth watching).`);
    }
  }
  if (features.length === 0) passed.push("No feature distributions were compared.");
  else if (features[0][1] < T.psi.monitor) {
    passed.push(`Every feature's spread of values is stable (largest population stability index ${num(features[0][1], T.psi.monitor)}, below ${T.psi.monitor}).`);
  }

  if (ari === null) passed.push("No fresh segmentation of the new data was available, so agreement with one was not checked.");
  else if (ari < T.ari.resegment) {
    resegment.push(`A fresh segmentation of the new data groups customers quite differently from the current segments (agreement ${num(ari, T.ari.resegment)} on the adjusted Rand scale, below ${T.ari.resegment}, which counts as poor).`);
  } else if (ari < T.ari.monitor) {
    monitor.push(`A fresh segmentation of the new data agrees only moderately with the current segments (agreement ${num(ari, T.ari.monitor)} on the adjusted Rand scale, below ${T.ari.monitor}, which counts as good).`);
  } else passed.push(`A fresh segmentation of the new data agrees with the current segments (agreement ${num(ari, T.ari.monitor)} on the adjusted Rand scale, at least ${T.ari.monitor}).`);

  const points = Math.abs(maxShareChange);
  const pts = `${num(points, T.sharePoints.monitor, T.sharePoints.resegment, 1)} percentage points`;
  if (points > T.sharePoints.resegment) {
    resegment.push(`A segment's share of all customers changed by ${pts}, more than ${T.sharePoints.resegment}.`);
  } else if (points > T.sharePoints.monitor) {
    monitor.push(`A segment's share of all customers changed by ${pts}, more than ${T.sharePoints.monitor}.`);
  } else passed.push(`Segment sizes are steady (largest change ${pts}, at most ${T.sharePoints.monitor}).`);

  if (maxCentroidShift === null) passed.push("No segment had customers at both snapshots, so segment averages were not compared.");
  else {
    const sd = `${num(maxCentroidShift, T.centroidSd.monitor, T.centroidSd.resegment)} standard deviations`;
    if (maxCentroidShift > T.centroidSd.resegment) {
      resegment.push(`The typical customer of a segment has changed a lot: ${moved} by ${sd} ${onFeature}, more than ${T.centroidSd.resegment}.`);
    } else if (maxCentroidShift > T.centroidSd.monitor) {
      monitor.push(`The typical customer of a segment has changed: ${moved} by ${sd} ${onFeature}, more than ${T.centroidSd.monitor}.`);
    } else passed.push(`Segment averages are steady (largest move ${sd}, at most ${T.centroidSd.monitor}).`);
  }

  if (stayed === null) passed.push("No customer appears in both snapshots, so segment moves were not counted.");
  else {
    const pct = `${num(stayed * 100, T.stayed.monitor * 100, undefined, 1)}%`;
    if (stayed < T.stayed.monitor) {
      monitor.push(`Only ${pct} of returning customers are still in the same segment, below ${T.stayed.monitor * 100}%.`);
    } else passed.push(`${pct} of returning customers are still in the same segment (at least ${T.stayed.monitor * 100}%).`);
  }

  if (resegment.length) return { verdict: "resegment", reasons: [...resegment, ...monitor] };
  if (monitor.length) return { verdict: "monitor", reasons: monitor };
  return { verdict: "stable", reasons: passed };
}

/**
 * `x` rounded for reading, with more digits when rounding would land on a threshold it is not
 * equal to (0.2501 must not read as "0.25" in a reason that says "above 0.25").
 */
function num(x: number, t1: number, t2?: number, digits = 2): string {
  let d = digits;
  let s = x.toFixed(d);
  while (d < 12 && ((Number(s) === t1 && x !== t1) || (t2 !== undefined && Number(s) === t2 && x !== t2))) s = x.toFixed(++d);
  return s;
}
