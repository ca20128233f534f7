import * as Plot from "@observablehq/plot";
import {segmentColorScale} from "./palette.js";

// Charts of the Drift page: data first, options second; values from data are drawn by Plot as text.

/** PSI per feature as bars, with the moderate and major lines. */
export function psiBars(psi, {moderate, major, width, words = (f) => f} = {}) {
  const data = Object.entries(psi).map(([feature, value]) => ({feature: words(feature), value})).sort((a, b) => b.value - a.value);
  const marginLeft = Math.max(80, Math.min(260, 16 + 6.2 * Math.max(...data.map((d) => d.feature.length))));
  return Plot.plot({
    width,
    height: 40 + 22 * data.length,
    marginLeft,
    x: {label: "Population stability index", grid: true, domain: [0, Math.max(major * 1.2, ...data.map((d) => d.value))]},
    y: {label: null, domain: data.map((d) => d.feature)},
    color: {domain: ["stable", "moderate", "major"], range: ["#4c9a6a", "#e0a030", "#c0392b"], legend: true},
    marks: [
      Plot.barX(data, {x: "value", y: "feature", fill: (d) => (d.value > major ? "major" : d.value >= moderate ? "moderate" : "stable"), tip: true}),
      Plot.ruleX([moderate, major], {stroke: "#555", strokeDasharray: "4,3"}),
      Plot.ruleX([0])
    ]
  });
}

/** Each segment's share of customers at every snapshot, the earlier model carried forward. */
export function sharesOverTime(points, {names, width, height = 280} = {}) {
  return Plot.plot({
    width,
    height,
    // One tick per snapshot: two or three dates are not a continuous time line.
    x: {type: "point", label: "Snapshot", domain: [...new Set(points.map((d) => d.date))], padding: 0.2},
    y: {label: "Share of customers (%)", grid: true, percent: true, domain: [0, 100 * Math.max(...points.map((d) => d.share)) * 1.1]},
    color: {...segmentColorScale(names), legend: true},
    marks: [
      Plot.line(points, {x: "date", y: "share", stroke: "name", z: "name", marker: "circle", tip: true}),
      Plot.ruleY([0])
    ]
  });
}
