import { loadManifest } from "./loaders/manifest/load.ts";
import { reportPages } from "./loaders/site/pages.ts";

// The manifest decides which dataset reports exist: one parameterized route per page.
const { datasets } = loadManifest();

export default {
  title: "Segmentation workbench",
  root: "src",
  // The build wrapper (loaders/cli/build.ts) builds into a temporary folder and swaps it in.
  output: process.env.WORKBENCH_OUT ?? "dist",
  // No web fonts, no CDN: the default stylesheet would fetch fonts from Google.
  globalStylesheets: [],
  // Framework's default stylesheet and theme, plus the captions; all bundled locally.
  style: "style.css",
  // Search would load minisearch from a CDN.
  search: false,
  // Links name the files as they are in dist/ (./segments.html, ./wholesale/index.html), so the
  // site works from any static server or subfolder, including ones that map no clean URLs.
  preserveExtension: true,
  preserveIndex: true,
  pages: datasets.map((d) => ({
    name: d.title,
    open: false,
    pages: reportPages(d).map((p) => ({ name: p.title, path: `/${d.name}/${p.path}` }))
  })),
  dynamicPaths: datasets.flatMap((d) => reportPages(d).map((p) => `/${d.name}/${p.path}`)),
  // No favicon request (Framework ships none; browsers would ask for /favicon.ico and get a 404).
  head: '<link rel="icon" href="data:,">',
  footer: "Segmentation workbench · built from the datasets in data/ · no data leaves this site.",
  pager: true
};
