/**
 * What each segment is worth and how likely it is to stay: from per-customer CLV and P(alive)
 * (transaction logs, loaders/value). Customers the value models do not cover (NaN) are left out
 * of the means and counted.
 */
export interface SegmentValue {
  segment: number;
  /** Customers with a value. */
  customers: number;
  meanClv: number | null;
  totalClv: number;
  /** The segment's share of the total predicted value of all segments (noise included). */
  valueShare: number | null;
  meanPAlive: number | null;
}

export function segmentValues(labels: Int32Array, k: number, clv: Float64Array, pAlive: Float64Array): SegmentValue[] {
  const count = new Float64Array(k);
  const value = new Float64Array(k);
  const alive = new Float64Array(k);
  let total = 0;
  for (let i = 0; i < labels.length; i++) {
    if (!Number.isFinite(clv[i])) continue;
    total += clv[i];
    const s = labels[i];
    if (s < 0) continue;
    count[s]++;
    value[s] += clv[i];
    alive[s] += pAlive[i];
  }
  return Array.from({ length: k }, (_, s) => ({
    segment: s,
    customers: count[s],
    meanClv: count[s] ? value[s] / count[s] : null,
    totalClv: value[s],
    valueShare: total > 0 ? value[s] / total : null,
    meanPAlive: count[s] ? alive[s] / count[s] : null
  }));
}

/** Lorenz curve of value: the share of total value held by the top p of customers, p = 0, 1/points, …, 1. */
export function valueConcentration(values: ArrayLike<number>, points = 100): { customerShare: number[]; valueShare: number[]; top10: number; top20: number } {
  const sorted = Float64Array.from(values).filter(Number.isFinite).sort().reverse();
  const n = sorted.length;
  const cumulative = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) cumulative[i + 1] = cumulative[i] + sorted[i];
  const total = cumulative[n];
  const shareOfTop = (p: number) => (total > 0 ? cumulative[Math.round(p * n)] / total : 0);
  const customerShare = Array.from({ length: points + 1 }, (_, j) => j / points);
  return { customerShare, valueShare: customerShare.map(shareOfTop), top10: shareOfTop(0.1), top20: shareOfTop(0.2) };
}
