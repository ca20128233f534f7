import * as Plot from "@observablehq/plot";
import {segmentColorScale, segmentName} from "./palette.js";

// Chart components: data first, options second, each returns a Plot figure. Every value from
// the data is drawn as SVG text or attributes by Plot, never parsed as HTML.

/** Room for the longest of `labels` at Plot's default 10px sans-serif (about 6px a character). */
function labelMargin(labels, min = 60, max = 280) {
  return Math.max(min, Math.min(max, 16 + 6.2 * Math.max(0, ...labels.map((l) => String(l).length))));
}

/** Scatter of the sampled customers (PCA, or `axes` names for another map), coloured by segment. */
export function segmentScatter({x, y, segment}, {width, names, explained, axes, height = 420, ariaLabel} = {}) {
  const points = x.map((_, i) => ({x: x[i], y: y[i], segment: segmentName(segment[i], names)}));
  const noise = segment.some((s) => s < 0);
  return Plot.plot({
    width,
    height,
    ariaLabel,
    grid: true,
    x: {label: axes ? axes[0] : `PC1${explained ? ` (${(100 * explained[0]).toFixed(0)}% of variance)` : ""}`},
    y: {label: axes ? axes[1] : `PC2${explained ? ` (${(100 * explained[1]).toFixed(0)}% of variance)` : ""}`},
    color: segmentColorScale(names, {noise}),
    marks: [Plot.dot(points, {x: "x", y: "y", fill: "segment", r: 2, fillOpacity: 0.7, tip: true})]
  });
}

/**
 * Silhouette plot as in scikit-learn's silhouette analysis: one thin bar per customer, sorted
 * within each segment, segments stacked; the dashed line is the mean silhouette.
 */
export function silhouettePlot({segment, value}, {width, names, mean, height = 420, ariaLabel} = {}) {
  const bars = [];
  let y = 0;
  const gap = Math.max(2, Math.round(segment.length / 60));
  for (let i = 0; i < segment.length; i++) {
    if (i > 0 && segment[i] !== segment[i - 1]) y += gap;
    bars.push({y1: y, y2: y + 1, value: value[i], segment: segmentName(segment[i], names)});
    y++;
  }
  return Plot.plot({
    width,
    height,
    ariaLabel,
    x: {label: "Silhouette coefficient", domain: [Math.min(-0.1, ...value), 1], grid: true},
    y: {axis: null},
    color: segmentColorScale(names),
    marks: [
      Plot.rectX(bars, {x1: 0, x2: "value", y1: "y1", y2: "y2", fill: "segment"}),
      Plot.ruleX([0]),
      mean == null ? null : Plot.ruleX([mean], {stroke: "#CC3311", strokeDasharray: "4,3", strokeWidth: 2}),
      mean == null ? null : Plot.text([mean], {x: (d) => d, frameAnchor: "top", dx: 4, textAnchor: "start", text: (d) => `mean ${d.toFixed(3)}`, fill: "#CC3311"})
    ]
  });
}

/**
 * Diverging heatmap of standardized differences (segment mean − overall mean, in SDs): one row
 * per feature, the features that differ most between segments first, one column per segment.
 */
export function profileHeatmap(segments, {width, maxFeatures = 30} = {}) {
  const features = segments[0].profile.map((p) => p.feature);
  const spread = new Map(features.map((f, j) => [f, Math.max(...segments.map((s) => Math.abs(s.profile[j].z)))]));
  const shown = [...features].sort((a, b) => spread.get(b) - spread.get(a)).slice(0, maxFeatures);
  // Rows are keyed by feature (two features may read alike) and labelled in words.
  const words = new Map(segments[0].profile.map((p) => [p.feature, p.words ?? p.feature]));
  const columns = segments.map((s, i) => `${i + 1}. ${s.name}`);
  const cells = segments.flatMap((s, i) => s.profile.filter((p) => shown.includes(p.feature)).map((p) => ({segment: columns[i], feature: p.feature, z: p.z, mean: p.mean, overall: p.overall})));
  const limit = Math.max(1, ...cells.map((c) => Math.abs(c.z)));
  // Room for the longest segment name, written at -35° (about 4.9 px across and 3.4 px up a
  // character): its full text is what tells two similar segments apart.
  const longest = Math.max(...columns.map((c) => c.length));
  const marginTop = Math.min(260, 40 + 3.5 * longest);
  return Plot.plot({
    width,
    height: marginTop + 60 + 22 * shown.length,
    marginLeft: labelMargin(shown.map((f) => words.get(f))),
    marginTop,
    marginRight: Math.min(240, 4 * longest),
    x: {label: null, axis: "top", tickRotate: -35, domain: columns},
    y: {label: null, domain: shown, tickFormat: (f) => words.get(f)},
    color: {type: "diverging", scheme: "BuRd", domain: [-limit, limit], legend: true, label: "Standardized difference from the overall mean"},
    marks: [
      Plot.cell(cells, {x: "segment", y: "feature", fill: "z", inset: 0.5, tip: {format: {y: (f) => words.get(f), z: (d) => d.toFixed(2)}}, channels: {mean: "mean", overall: "overall"}}),
      // No "-0.0": a difference that rounds to zero is shown as 0.0.
      Plot.text(cells, {x: "segment", y: "feature", text: (d) => (Math.abs(d.z) < 0.05 ? 0 : d.z).toFixed(1), fill: (d) => (Math.abs(d.z) > limit / 2 ? "white" : "black"), fontSize: 10})
    ]
  });
}

/** One metric against k (or eps), a line per algorithm family; `highlight` marks points (e.g. knees). */
export function metricCurve(runs, {metric, label, width, height = 220, highlight = []} = {}) {
  const data = runs.filter((r) => r.metrics[metric] != null).map((r) => ({family: r.family, x: r.xAxis === "eps" ? r.params.eps : r.k, y: r.metrics[metric], id: r.id}));
  return Plot.plot({
    width,
    height,
    grid: true,
    x: {label: "k (segments)", type: "linear"},
    y: {label: label ?? metric},
    color: {legend: true},
    marks: [
      Plot.line(data, {x: "x", y: "y", stroke: "family"}),
      Plot.dot(data, {x: "x", y: "y", stroke: "family", fill: "white", tip: true, channels: {run: "id"}}),
      Plot.dot(data.filter((d) => highlight.includes(d.id)), {x: "x", y: "y", r: 7, stroke: "#CC3311", strokeWidth: 2, symbol: "circle"})
    ]
  });
}

/**
 * Heatmap of a confusion or contingency matrix, with the count and the row percentage in each
 * cell. counts[r][c]; rows and cols are the labels.
 */
export function matrixHeatmap({rows, cols, counts}, {width, rowLabel = "", colLabel = ""} = {}) {
  const cells = [];
  counts.forEach((row, r) => {
    const total = row.reduce((a, b) => a + b, 0);
    row.forEach((v, c) => cells.push({row: String(rows[r]), col: String(cols[c]), count: v, share: total ? v / total : 0}));
  });
  const rotate = cols.some((c) => String(c).length > 8);
  const marginLeft = labelMargin(rows);
  return Plot.plot({
    width: Math.min(width ?? 640, marginLeft + 40 + 100 * cols.length),
    height: (rotate ? labelMargin(cols, 40, 200) * 0.6 : 40) + 50 + 44 * rows.length,
    marginLeft,
    marginTop: rotate ? labelMargin(cols, 40, 200) * 0.6 + 20 : 40,
    x: {label: colLabel, domain: cols.map(String), axis: "top", tickRotate: rotate ? -30 : 0},
    y: {label: rowLabel, domain: rows.map(String)},
    color: {scheme: "Blues", domain: [0, 1], legend: true, label: "Share of the row"},
    marks: [
      Plot.cell(cells, {x: "col", y: "row", fill: "share", inset: 0.5}),
      Plot.text(cells, {x: "col", y: "row", text: (d) => `${d.count.toLocaleString("en-US")}\n${(100 * d.share).toFixed(0)}%`, fill: (d) => (d.share > 0.55 ? "white" : "black"), fontSize: 11})
    ]
  });
}

/** Segment sizes as horizontal bars in segment colours. */
export function sizeBars(sizes, {names, width, noise = 0} = {}) {
  const data = sizes.map((size, i) => ({segment: segmentName(i, names), size}));
  if (noise) data.push({segment: segmentName(-1), size: noise});
  return Plot.plot({
    width,
    height: 40 + 26 * data.length,
    marginLeft: labelMargin(data.map((d) => d.segment)),
    x: {label: "Customers", grid: true},
    y: {label: null, domain: data.map((d) => d.segment)},
    color: {...segmentColorScale(names, {noise: noise > 0}), legend: false},
    marks: [Plot.barX(data, {x: "size", y: "segment", fill: "segment", tip: true}), Plot.ruleX([0])]
  });
}

/** Bars of one value per row, e.g. per-segment stability or feature importance. */
export function valueBars(data, {x, y, width, domain, label, color} = {}) {
  return Plot.plot({
    width,
    height: 40 + 24 * data.length,
    marginLeft: labelMargin(data.map((d) => d[y])),
    x: {label, domain, grid: true},
    y: {label: null, domain: data.map((d) => d[y])},
    marks: [Plot.barX(data, {x, y, fill: color ?? "#4477AA", tip: true}), Plot.ruleX([0])]
  });
}
