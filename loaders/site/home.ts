import { loadManifest } from "../manifest/load.ts";

/**
 * The home page's Markdown. FileAttachment names must be literal for Framework to find them, so
 * this page is generated: one literal attachment per dataset in the manifest. Text from the
 * manifest and the data reaches the page only through JavaScript values rendered as text,
 * never inlined into the Markdown (names are URL-safe by manifest validation).
 */
export function homePage(): string {
  const { datasets } = loadManifest();
  const attachments = datasets.map((d) => `  FileAttachment("data/${d.name}/report/overview.json")`).join(",\n");
  return `---
title: Segmentation workbench
toc: false
---

\`\`\`js
import {html} from "htl";
import {count, fixed, percent} from "./components/format.js";
import {segmentColor} from "./components/palette.js";
const overviews = Promise.all([
${attachments}
].map((f) => f.json()));
// A segment's share of the predicted value (transaction logs) or its outcome rate (customer tables with an outcome).
const worth = (s) => [
  s.value?.valueShare != null ? \`\${percent(s.value.valueShare, 0)} of value\` : null,
  s.outcome?.rate != null ? \`\${s.outcome.column} \${percent(s.outcome.rate)}\` : null
].filter(Boolean).map((t) => \` · \${t}\`).join("");
\`\`\`

# Segmentation workbench

Customer segments for every dataset in \`data/\`, computed when this site was built. Each report
goes from data quality to the recommended segments and the evidence for them.

\`\`\`js
display(html\`<div class="grid grid-cols-3">\${overviews.map((o) => html\`<a class="card" href="./\${o.dataset.name}/index.html" style="text-decoration: none; color: inherit;">
  <h2>\${o.dataset.title}</h2>
  <p class="muted">\${o.dataset.kind === "transactions" ? "Transaction log" : "Customer table"} · \${count(o.rows)} rows · \${count(o.customers)} customers</p>
  <p><b>\${o.recommended.k} segments</b> (\${o.recommended.runId}, silhouette \${fixed(o.recommended.metrics.silhouette)})</p>
  <ul class="rules">\${o.recommended.segments.map((s) => html\`<li><span style="color: \${segmentColor(s.segment)}">■</span> \${s.name}: \${percent(s.share, 0)} of customers\${worth(s)}</li>\`)}</ul>
</a>\`)}</div>\`);
\`\`\`

<p class="caption">Each card is one dataset of data/manifest.json with its recommended segmentation; open it for the full report.</p>
`;
}
