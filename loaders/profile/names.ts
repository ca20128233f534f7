import type { FeatureProfile } from "./profile.ts";

/**
 * Names a segment from what sets it apart. With RFM (transaction logs): its most common RFM
 * segment name. Otherwise: its one or two most distinctive features, e.g. "High Grocery, high
 * Detergents_Paper". Repeated names get a number so every segment's name is unique.
 */
export function nameSegments(profiles: FeatureProfile[][], rfmNames: Array<string | null> | null): string[] {
  const names = profiles.map((p, s) => rfmNames?.[s] ?? distinctive(p));
  const seen = new Map<string, number>();
  const total = new Map<string, number>();
  for (const n of names) total.set(n, (total.get(n) ?? 0) + 1);
  return names.map((n) => {
    if (total.get(n) === 1) return n;
    const i = (seen.get(n) ?? 0) + 1;
    seen.set(n, i);
    return `${n} (${i})`;
  });
}

function distinctive(profile: FeatureProfile[]): string {
  const top = [...profile].filter((f) => Math.abs(f.z) >= 0.25).sort((a, b) => Math.abs(b.z) - Math.abs(a.z) || (a.feature < b.feature ? -1 : 1));
  if (!top.length) return "Average";
  const word = (f: FeatureProfile) => `${f.z > 0 ? "high" : "low"} ${f.feature}`;
  const text = top.slice(0, 2).map(word).join(", ");
  return text[0].toUpperCase() + text.slice(1);
}

/** The most common RFM segment name among a segment's customers (ties: first in SEGMENT_NAMES order). */
export function dominantRfmNames(rfmSegment: readonly string[], labels: Int32Array, k: number, order: readonly string[]): string[] {
  const counts = Array.from({ length: k }, () => new Map<string, number>());
  labels.forEach((l, i) => {
    if (l >= 0) counts[l].set(rfmSegment[i], (counts[l].get(rfmSegment[i]) ?? 0) + 1);
  });
  return counts.map((c) => {
    let best = "";
    let most = -1;
    for (const name of order) {
      const v = c.get(name) ?? 0;
      if (v > most) [best, most] = [name, v];
    }
    return best;
  });
}
