import * as Plot from "@observablehq/plot";
import {segmentColorScale, segmentName} from "./palette.js";

// Charts of the Personas and Segments pages. Data first, options second; every value from the
// data is drawn by Plot as SVG text, never parsed as HTML.

const pct = (x) => `${Math.round(100 * x)}%`;

/**
 * Segments × segment types: the share of each segment that is of each type, with the share of
 * all customers as the last row. Darker is more; the number is the share.
 */
export function typesHeatmap({definitions, segments, overall, categories}, {names, width} = {}) {
  const columns = [];
  for (const t of definitions) {
    if (t.id === "categoryLover" && categories) categories.labels.forEach((label, c) => columns.push({label: `${label} lovers`, get: (s) => (s < 0 ? categories.overall[c] : categories.segments[s][c])}));
    else columns.push({label: t.label, get: (s) => (s < 0 ? overall[t.id] : segments[s][t.id])});
  }
  const rows = [...names.map((n, s) => ({label: `${s + 1}. ${n}`, s})), {label: "All customers", s: -1}];
  const cells = rows.flatMap((r) => columns.map((c) => ({row: r.label, column: c.label, share: c.get(r.s) ?? 0})));
  const marginLeft = Math.min(300, 16 + 6.2 * Math.max(...rows.map((r) => r.label.length)));
  return Plot.plot({
    width: Math.min(width ?? 800, marginLeft + 40 + 96 * columns.length),
    height: 120 + 34 * rows.length,
    marginLeft,
    marginTop: 100,
    ariaLabel: "segment types by segment",
    x: {label: null, axis: "top", tickRotate: -30, domain: columns.map((c) => c.label)},
    y: {label: null, domain: rows.map((r) => r.label)},
    color: {scheme: "Purples", domain: [0, 1], legend: true, label: "Share of the segment", tickFormat: pct},
    marks: [
      Plot.cell(cells, {x: "column", y: "row", fill: "share", inset: 0.5}),
      Plot.text(cells, {x: "column", y: "row", text: (d) => pct(d.share), fill: (d) => (d.share > 0.55 ? "white" : "black"), fontSize: 11})
    ]
  });
}

/** Response rate of each campaign by segment, with 95% Wilson intervals and the overall rate. */
export function responseChart(responses, {names, width} = {}) {
  const data = responses.flatMap((r) => r.segments.map((s, i) => ({campaign: r.words, segment: segmentName(i, names), index: i, ...s})).filter((d) => d.rate != null));
  const overall = responses.map((r) => ({campaign: r.words, ...r.overall}));
  const top = Math.min(1, Math.max(...data.map((d) => d.high)) * 1.1 + 0.02);
  return Plot.plot({
    width,
    height: 40 + responses.length * (24 + 18 * names.length),
    marginLeft: 180,
    marginRight: 10,
    ariaLabel: "campaign response by segment",
    x: {label: "Response rate (95% interval) →", domain: [0, top], tickFormat: pct, grid: true},
    y: {label: null, domain: names.map((n, i) => segmentName(i, names)), axis: null},
    fy: {label: null, domain: responses.map((r) => r.words)},
    color: segmentColorScale(names),
    marks: [
      Plot.frame({stroke: "#ddd"}),
      Plot.ruleX(overall, {x: "rate", fy: "campaign", stroke: "#555", strokeDasharray: "4,3"}),
      Plot.ruleY(data, {fy: "campaign", y: "segment", x1: "low", x2: "high", stroke: "segment", strokeWidth: 3}),
      Plot.dot(data, {fy: "campaign", y: "segment", x: "rate", fill: "segment", stroke: "white", r: 5, tip: true, channels: {customers: "n", low: "low", high: "high"}, format: {x: pct, low: pct, high: pct, fy: false}})
    ]
  });
}

/**
 * Parallel coordinates of segment profiles: one thick line per segment through its standardized
 * means, over thin faint lines of a sample of customers (clipped at ±clip SDs).
 */
export function parallelChart({features, segments, customers, clip}, {names, width, words = (f) => f} = {}) {
  // Axes are keyed by feature (two features may read alike) and labelled in words.
  const axes = features;
  const faint = customers.z.flatMap((z, i) => z.map((v, j) => ({line: i, axis: axes[j], z: v, segment: segmentName(customers.segment[i], names)})));
  const bold = segments.flatMap((s) => s.z.map((v, j) => ({line: s.segment, axis: axes[j], z: v, segment: segmentName(s.segment, names)})));
  return Plot.plot({
    width,
    height: 440,
    marginBottom: 110,
    // Room for the first axis label, written at -30° to the left of its axis.
    marginLeft: Math.min(200, 20 + 5 * words(features[0]).length),
    ariaLabel: "parallel coordinates of segment profiles",
    x: {label: null, domain: axes, tickRotate: -30, tickFormat: words},
    y: {label: "Standard deviations from the overall mean", domain: [-clip, clip], grid: true},
    color: segmentColorScale(names),
    marks: [
      Plot.ruleY([0], {stroke: "#999"}),
      Plot.line(faint, {x: "axis", y: "z", z: "line", stroke: "segment", strokeOpacity: 0.07, strokeWidth: 1}),
      Plot.line(bold, {x: "axis", y: "z", z: "line", stroke: "segment", strokeWidth: 3}),
      Plot.dot(bold, {x: "axis", y: "z", fill: "segment", r: 3.5, tip: true, format: {x: words, z: (d) => d.toFixed(2)}})
    ]
  });
}

