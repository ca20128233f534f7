// Paul Tol's "muted" qualitative palette, whose colours stay distinguishable under the common
// colour-vision deficiencies, plus Tol's dark brown for a tenth: the default grid goes to k = 10.
// Segment i always gets colour i, on every page; beyond ten segments (DBSCAN) colours repeat.
// Noise is grey.
export const SEGMENT_COLORS = ["#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#DDCC77", "#CC6677", "#882255", "#AA4499", "#661100"];
export const NOISE_COLOR = "#BBBBBB";
export const NOISE_NAME = "Noise";

export function segmentColor(segment) {
  return segment < 0 ? NOISE_COLOR : SEGMENT_COLORS[segment % SEGMENT_COLORS.length];
}

/** Plot color options mapping segment names (in segment order) to their colours. */
export function segmentColorScale(names, {noise = false} = {}) {
  const domain = noise ? [...names, NOISE_NAME] : names;
  return {domain, range: domain.map((_, i) => (i < names.length ? segmentColor(i) : NOISE_COLOR)), legend: true};
}

/** Display name of a segment number: its name, "Segment 3", or "Noise". */
export function segmentName(segment, names) {
  if (segment < 0) return NOISE_NAME;
  return names?.[segment] ?? `Segment ${segment + 1}`;
}

// The two models compared on the Value page (BG/NBD and Pareto/NBD; logistic regression and
// gradient boosting) in Tol's "vibrant" blue and orange, apart from the segment colours; what
// actually happened is black.
export const MODEL_COLORS = ["#0077BB", "#EE7733"];
export const ACTUAL_COLOR = "#000000";
