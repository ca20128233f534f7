/**
 * Segments are shown largest first, so segment 1 (colour 1) is the largest in every picture.
 * Returns labels renumbered 0..k-1 by decreasing size (ties: lower original label first; noise
 * -1 stays -1), the sizes in the new order, and rank[old label] = new label.
 */
export function orderBySize(labels: Int32Array, k: number): { labels: Int32Array; sizes: number[]; rank: Int32Array } {
  const sizes = new Array<number>(k).fill(0);
  for (const l of labels) if (l >= 0) sizes[l]++;
  const order = sizes.map((_, i) => i).sort((a, b) => sizes[b] - sizes[a] || a - b);
  const rank = new Int32Array(k);
  order.forEach((old, i) => (rank[old] = i));
  const out = labels.map((l) => (l >= 0 ? rank[l] : -1));
  return { labels: out, sizes: order.map((i) => sizes[i]), rank };
}
