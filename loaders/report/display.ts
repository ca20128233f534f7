/** Helpers that keep what pages download small and stable. */

/** Rounds to `digits` significant digits (numbers in pictures need no more). */
export function sig(x: number, digits = 4): number {
  if (!Number.isFinite(x) || x === 0) return Number.isFinite(x) ? 0 : x;
  return Number(x.toPrecision(digits));
}

/** Rounds every number in a JSON-able value (for tables of metrics). */
export function sigDeep<T>(value: T, digits = 6): T {
  return JSON.parse(JSON.stringify(value, (_k, v) => (typeof v === "number" && !Number.isInteger(v) ? sig(v, digits) : v)));
}

/**
 * Silhouette values for a picture: per segment, `share` of its values taken at evenly spaced
 * ranks of the sorted values, so the shape of each segment's silhouette is kept exactly while
 * the number of bars stays small. Deterministic.
 */
export function thinSilhouette(
  label: ArrayLike<number>,
  value: ArrayLike<number>,
  max: number
): { segment: number[]; value: number[]; shown: number; of: number } {
  const bySegment = new Map<number, number[]>();
  for (let i = 0; i < label.length; i++) {
    if (!bySegment.has(label[i])) bySegment.set(label[i], []);
    bySegment.get(label[i])!.push(value[i]);
  }
  const total = label.length;
  const share = Math.min(1, max / Math.max(1, total));
  const out = { segment: [] as number[], value: [] as number[], shown: 0, of: total };
  for (const s of [...bySegment.keys()].sort((a, b) => a - b)) {
    const values = bySegment.get(s)!.sort((a, b) => b - a);
    const m = Math.max(1, Math.round(values.length * share));
    for (let j = 0; j < m; j++) {
      const idx = m === 1 ? 0 : Math.round((j * (values.length - 1)) / (m - 1));
      out.segment.push(s);
      out.value.push(sig(values[idx], 3));
    }
  }
  out.shown = out.value.length;
  return out;
}

/** Maps labels through a renumbering (noise -1 kept). */
export function relabel(labels: ArrayLike<number>, rank: ArrayLike<number>): number[] {
  return Array.from(labels, (l) => (l >= 0 ? rank[l] : -1));
}
