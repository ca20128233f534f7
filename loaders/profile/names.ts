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
