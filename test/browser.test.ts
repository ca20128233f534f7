import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reportPages } from "../loaders/site/pages.ts";
import { findDataset, loadManifest, parseManifest } from "../loaders/manifest/load.ts";
import { writePersonaCache } from "../loaders/personas/cache.ts";
import { personaInput } from "../loaders/personas/inputs.ts";
import { personaRequest, requestKey } from "../loaders/personas/llm.ts";
import { analyze } from "../loaders/report/analyze.ts";
import type { OverviewFile, PersonasFile, SegmentsFile, ExperimentsFile } from "../loaders/report/contract.ts";
import { launchChromium } from "./helpers/browser.ts";
import { makeProject, removeProject, REPO, runScript } from "./helpers/project.ts";
import { serveStatic } from "./helpers/serve.ts";
import { thirdPartyLoads } from "./helpers/thirdParty.ts";

/**
 * The published site in a real browser: the three shipped datasets, plus a small dataset whose
 * category holds an HTML injection and whose personal column holds e-mail addresses.
 */
const INJECTION = "<img src=x onerror=alert(1)>";
const EMAILS = Array.from({ length: 60 }, (_, i) => `person${i}.secret@example.org`);
const SHOTS = join(REPO, "test-output", "screenshots");

function injectionCsv(): string {
  const lines = ["customer,email,plan,spend,visits"];
  for (let i = 0; i < 60; i++) {
    const group = i % 3;
    const plan = group === 0 ? `"${INJECTION}"` : group === 1 ? "basic" : "pro";
    lines.push(`c${i},${EMAILS[i]},${plan},${100 + group * 400 + (i % 7)},${2 + group * 5 + (i % 3)}`);
  }
  return lines.join("\n") + "\n";
}

const shipped = JSON.parse(readFileSync(join(REPO, "data", "manifest.json"), "utf8"));
const manifest = {
  datasets: {
    ...shipped.datasets,
    inject: {
      title: "Injection probe",
      description: "Synthetic customers whose plan names try to inject HTML.",
      kind: "customers",
      file: "inject.csv",
      format: "csv",
      columns: { customer: "id", email: "personal", plan: "categorical", spend: "numeric", visits: "numeric" }
    }
  }
};
const datasets = Object.keys(manifest.datasets);

/** Every idiom the README tells page authors to use, which must work with no CDN. */
const IDIOMS_PAGE = `# Idioms

\`\`\`js
import * as Plot from "@observablehq/plot";
import * as Inputs from "@observablehq/inputs";
import * as d3 from "d3";
import aq from "arquero/dist/arquero.min.js";
import {html} from "htl";
const overview = FileAttachment("data/wholesale/report/overview.json").json();
const rows = d3.csvParse(await FileAttachment("idioms.csv").text(), d3.autoType);
\`\`\`

\`\`\`js
const t = aq.from(rows).derive({double: (d) => d.value * 2});
display(html\`<p id="idioms-result">\${overview.customers} customers; doubled \${t.array("double").join(",")}; max \${d3.max(rows, (r) => r.value)}</p>\`);
display(Inputs.table(rows));
display(Plot.barY(rows, {x: "name", y: "value"}).plot());
\`\`\`
`;

/** The text planted as an LLM-written summary of the probe's first segment: an injection too. */
const LLM_TEXT = `LLM-TEST-SUMMARY ${INJECTION}`;

/**
 * A committed personas cache for the injection probe, as \`npm run personas\` writes it: an
 * answer for segment 0 keyed by its exact request, and a stale answer (another key) that must
 * not show. The other datasets have no cache, so their pages show the template text only.
 */
async function writeLlmCache(root: string): Promise<void> {
  const saved = process.env.WORKBENCH_ROOT;
  process.env.WORKBENCH_ROOT = root;
  try {
    const input = personaInput(await analyze(findDataset(loadManifest(), "inject")));
    const key = requestKey(personaRequest(input, 0, "test-model"));
    writePersonaCache("inject", { version: 1, entries: { [key]: { segment: 0, model: "test-model", text: LLM_TEXT }, ["0".repeat(64)]: { segment: 1, model: "test-model", text: "STALE-ANSWER" } } }, root);
  } finally {
    if (saved === undefined) delete process.env.WORKBENCH_ROOT;
    else process.env.WORKBENCH_ROOT = saved;
  }
}

let dir: string;
let browser: Browser;
let site: Awaited<ReturnType<typeof serveStatic>>;
const offsite: string[] = [];
let dialogs = 0;

beforeAll(async () => {
  const files: Record<string, Buffer | string> = { "inject.csv": injectionCsv() };
  for (const d of Object.values(shipped.datasets) as Array<{ file: string }>) files[d.file] = readFileSync(join(REPO, "data", d.file));
  dir = makeProject(manifest, files);
  writeFileSync(join(dir, "src", "idioms.md"), IDIOMS_PAGE);
  writeFileSync(join(dir, "src", "idioms.csv"), "name,value\nalpha,1\nbeta,2\n");
  await writeLlmCache(dir);
  const r = runScript(dir, "build.ts");
  if (r.code !== 0) throw new Error(`build failed:\n${r.stderr.slice(-3000)}`);
  // A plain static server, the site in a subfolder: no clean URLs, no folder indexes.
  site = await serveStatic(join(dir, "dist"), { prefix: "/shared/reports" });
  browser = await launchChromium();
  mkdirSync(SHOTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
  if (dir) removeProject(dir);
});

/** Opens a page, recording console errors, failed requests and requests to other hosts. */
async function open(path: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on("console", (m) => m.type() === "error" && errors.push(`console: ${m.text()}`));
  page.on("pageerror", (e) => errors.push(`page error: ${e.message}`));
  page.on("requestfailed", (r) => errors.push(`failed request: ${r.url()}`));
  page.on("response", (r) => r.status() >= 400 && errors.push(`HTTP ${r.status()}: ${r.url()}`));
  page.on("request", (r) => !r.url().startsWith(site.url) && !r.url().startsWith("data:") && offsite.push(r.url()));
  page.on("dialog", (d) => {
    dialogs++;
    void d.dismiss();
  });
  // No time limits of Playwright's own: a slow machine only makes this slower (vitest bounds hung tests).
  page.setDefaultTimeout(0);
  await page.goto(site.url + path, { waitUntil: "networkidle" });
  await page.waitForFunction(() => !document.querySelector(".observablehq--loading"), null, { timeout: 0 });
  return { page, errors };
}

/** A report page's file in dist/. */
const pageFile = (dataset: string, path: string) => `/${dataset}/${path || "index"}.html`;
const pages = parseManifest(manifest, "manifest").datasets.flatMap((d) => reportPages(d).map((p) => ({ dataset: d.name, path: pageFile(d.name, p.path), title: p.title })));

/** One file of a dataset's report as the built site serves it (dist/_file/data/<dataset>/report/<name>.<hash>.json). */
function reportJson(dataset: string, name: "overview"): OverviewFile;
function reportJson(dataset: string, name: "personas"): PersonasFile;
function reportJson(dataset: string, name: "segments"): SegmentsFile;
function reportJson(dataset: string, name: "experiments"): ExperimentsFile;
function reportJson(dataset: string, name: string): any;
function reportJson(dataset: string, name: string) {
  const folder = join(dir, "dist", "_file", "data", dataset, "report");
  const file = readdirSync(folder).find((f) => f.startsWith(`${name}.`) && f.endsWith(".json"));
  if (!file) throw new Error(`no ${name}.json in ${folder}`);
  return JSON.parse(readFileSync(join(folder, file), "utf8"));
}

/** A segment of overview.json, with what it is worth (loaders/report/value.ts segmentWorth). */
interface Segment {
  name: string;
  value: { valueShare: number | null } | null;
  outcome: { rate: number | null; low: number | null; high: number | null; lift: number | null } | null;
}

/** Three significant digits, trailing zeros kept, as the Value page prints fitted parameters. */
const sig3 = (x: number) => x.toLocaleString("en-US", { minimumSignificantDigits: 3, maximumSignificantDigits: 3 });

describe("the built site in Chromium", () => {
  it("shows every dataset on the home page", async () => {
    const { page, errors } = await open("/index.html");
    for (const d of datasets) await expect(page.locator(`a.card[href="./${d}/index.html"]`).count()).resolves.toBe(1);
    await page.screenshot({ path: join(SHOTS, "home.png"), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it.each(pages)("$path loads with no error and renders its charts", async ({ dataset, path, title }) => {
    const { page, errors } = await open(path);
    expect(errors).toEqual([]);
    await expect(page.locator("h1").first().textContent()).resolves.toBeTruthy();
    const marks = await page.locator("figure svg [aria-label] > *, svg[class^=plot] g[aria-label] > *").count();
    // Experiments is a table; Personas of a table without tagged columns or campaigns has no chart.
    const personas = title === "Personas" ? reportJson(dataset, "personas") : null;
    const charts = title !== "Experiments" && (!personas || personas.types.definitions.length > 0 || personas.responses.length > 0);
    if (charts) expect(marks, "chart marks").toBeGreaterThan(0);
    expect(await page.locator(".observablehq--error").count()).toBe(0);
    await page.screenshot({ path: join(SHOTS, `${dataset}-${title.toLowerCase().replace(/\W+/g, "-")}.png`), fullPage: true });
    await page.close();
  });

  it("shows the chosen value model's parameters, the P(alive) heatmap and the Lorenz curve of CDNOW", async () => {
    const { value } = reportJson("cdnow", "value");
    const fit = value.current;
    const { page, errors } = await open("/cdnow/value.html");
    const chosen = fit.chosen === "bgnbd" ? { name: "BG/NBD", params: { r: "r", alpha: "α", a: "a", b: "b" } } : { name: "Pareto/NBD", params: { r: "r", alpha: "α", s: "s", beta: "β" } };
    await expect(page.locator("#value-fit th.chosen").textContent()).resolves.toContain(chosen.name);
    const cells = (await page.locator("#value-fit td.chosen").allTextContents()).join(" | ");
    for (const [key, symbol] of Object.entries(chosen.params)) expect(cells).toContain(`${symbol} = ${sig3(fit[fit.chosen][key])}`);
    const body = await page.locator("main").innerText();
    expect(body).toContain(`10% of customers hold ${(100 * value.clv.top10).toFixed(1)}%`);
    expect(body).toContain(`20% hold ${(100 * value.clv.top20).toFixed(1)}%`);
    expect(await page.locator('svg[aria-label^="P(alive) by"] g[aria-label="cell"] rect').count()).toBe(value.pAliveGrid.cells.length);
    expect(await page.locator('svg[aria-label^="Lorenz curve"] g[aria-label="line"] path').count()).toBeGreaterThan(0);
    expect(await page.locator('svg[aria-label^="Repeat purchases per period"] g[aria-label="rule"] line').count()).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("shows both outcome models' ROC AUC and their ROC curves for the marketing Response", async () => {
    const { outcome } = reportJson("marketing", "value");
    const { page, errors } = await open("/marketing/value.html");
    const table = await page.locator("#outcome-models").innerText();
    expect(table).toContain(outcome.models.logistic.rocAuc.toFixed(3));
    expect(table).toContain(outcome.models.boosting.rocAuc.toFixed(3));
    await expect(page.locator("#outcome-models tr.chosen").innerText()).resolves.toContain(outcome.chosen === "logistic" ? "Logistic regression" : "Gradient boosting");
    // The diagonal of guessing and one curve per model.
    expect(await page.locator('svg[aria-label^="ROC curves"] g[aria-label="line"] path').count()).toBeGreaterThanOrEqual(3);
    expect(await page.locator('svg[aria-label^="Response rate per segment"] g[aria-label="dot"] circle').count()).toBe(outcome.segments.segments.length);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("shows what each segment is worth on the Overview cards and the home page", async () => {
    const pct = (x: number, digits = 1) => `${(100 * x).toFixed(digits)}%`;
    const expected: Record<string, (s: Segment) => string> = {
      cdnow: (s) => `${pct(s.value!.valueShare!)} of predicted value`,
      marketing: (s) => `Response ${pct(s.outcome!.rate!)} (${(100 * s.outcome!.low!).toFixed(1)}–${pct(s.outcome!.high!)}), ${s.outcome!.lift!.toFixed(2)}× the average`
    };
    const home = await open("/index.html");
    const homeText = await home.page.locator("main").innerText();
    await home.page.close();
    for (const [dataset, text] of Object.entries(expected)) {
      const segments: Segment[] = reportJson(dataset, "overview").recommended.segments;
      const { page, errors } = await open(`/${dataset}/index.html`);
      const cards = await page.locator(".grid .card").allInnerTexts();
      for (const s of segments) {
        const card = cards.find((c) => c.split("\n")[0].trim() === s.name);
        expect(card, `${dataset}: card of ${s.name}`).toContain(text(s));
        expect(homeText).toContain(dataset === "cdnow" ? `${pct(s.value!.valueShare!, 0)} of value` : `Response ${pct(s.outcome!.rate!)}`);
      }
      expect(errors).toEqual([]);
      await page.close();
    }
    // No value models and no outcome: the cards say nothing of either.
    const { page } = await open("/wholesale/index.html");
    const cards = (await page.locator(".grid .card").allInnerTexts()).join("\n");
    expect(cards).not.toContain("predicted value");
    expect(cards).not.toContain("the average");
    await page.close();
  });

  it("gives every dataset 3–8 segments, each with a unique business name and a distinct action", () => {
    for (const d of datasets) {
      const { personas } = reportJson(d, "personas");
      expect(personas.length, d).toBeGreaterThanOrEqual(3);
      expect(personas.length, d).toBeLessThanOrEqual(8);
      expect(new Set(personas.map((p) => p.name)).size, d).toBe(personas.length);
      expect(new Set(personas.map((p) => p.action)).size, d).toBe(personas.length);
      // Categories spelled as words, never "Column=Value" or a threshold (the probe's category itself holds "=").
      if (d !== "inject") for (const p of personas) expect(p.name, d).not.toMatch(/[=≤≥]/);
      const { recommended } = reportJson(d, "overview");
      expect(recommended.segments.map((s) => s.name)).toEqual(personas.map((p) => p.name));
    }
  });

  it("shows the personas table, the segment types and campaign response, with the action rule of each segment", async () => {
    const p = reportJson("marketing", "personas");
    const { page, errors } = await open("/marketing/personas.html");
    const rows = await page.locator("table.personas tbody tr").allInnerTexts();
    expect(rows.length).toBe(p.personas.length);
    p.personas.forEach((persona, i) => {
      expect(rows[i]).toContain(persona.name);
      expect(rows[i]).toContain(persona.action);
    });
    // Types heatmap: a cell per (segment + all customers) × type column.
    const columns = p.types.definitions.reduce((c, t) => c + (t.id === "categoryLover" ? p.types.categories!.labels.length : 1), 0);
    expect(await page.locator('svg[aria-label="segment types by segment"] g[aria-label="cell"] rect').count()).toBe((p.personas.length + 1) * columns);
    // Campaign response: one dot per campaign and segment.
    expect(p.responses.length).toBe(6); // AcceptedCmp1–5 and Response
    expect(await page.locator('svg[aria-label="campaign response by segment"] g[aria-label="dot"] circle').count()).toBe(6 * p.personas.length);
    // No cache for this dataset: no LLM text, and the page says how to add it.
    expect(await page.locator(".llm").count()).toBe(0);
    await expect(page.locator("main").innerText()).resolves.toContain("npm run personas");
    await page.screenshot({ path: join(SHOTS, "personas-table.png"), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it("shows a cached LLM summary as marked text, and the template text where the cache has no current answer", async () => {
    const { page, errors } = await open("/inject/personas.html");
    const llm = page.locator(".llm");
    await expect(llm.count()).resolves.toBe(1);
    const text = await llm.innerText();
    expect(text).toContain("LLM-written summary");
    expect(text).toContain(LLM_TEXT); // the injection is text, not an element
    expect(await page.locator("img[src=x]").count()).toBe(0);
    await expect(page.locator("main").innerText()).resolves.not.toContain("STALE-ANSWER");
    expect(errors).toEqual([]);
    await page.close();
  });

  it("switches the Segments map between PCA and a seeded UMAP, and draws the parallel coordinates", async () => {
    const s = reportJson("wholesale", "segments");
    const { page, errors } = await open("/wholesale/segments.html");
    await page.locator('svg[aria-label="PCA map of customers"]').waitFor();
    await page.getByLabel("UMAP").check();
    const umap = page.locator('svg[aria-label="UMAP map of customers"]');
    await umap.waitFor();
    expect(await umap.locator('g[aria-label="dot"] circle').count()).toBe(s.scatter.shown);
    expect(s.scatter.umap!.x.length).toBe(s.scatter.shown);
    const parallel = page.locator('svg[aria-label="parallel coordinates of segment profiles"]');
    expect(await parallel.locator('g[aria-label="line"] path').count()).toBe(s.parallel.customers.segment.length + s.segments.length);
    await page.screenshot({ path: join(SHOTS, "segments-umap.png"), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it("states the strongest split on the Overview and why each run lost on Experiments", async () => {
    const { recommended } = reportJson("marketing", "overview");
    const x = reportJson("marketing", "experiments");
    const overview = await open("/marketing/index.html");
    if (recommended.strongest && recommended.strongest.runId !== recommended.runId) {
      await expect(overview.page.locator("main").innerText()).resolves.toContain(`silhouette peaks at k = ${recommended.strongest.k}`);
    }
    // The data-quality list says each thing once (engine notes and page sentences used to overlap).
    const quality = await overview.page.locator("h2:has-text('Data quality') + * li, h2:has-text('Data quality') ~ div li").allInnerTexts();
    for (const topic of ["outlier", "log1p", "Z_CostContact", "one-hot encoded"]) expect(quality.filter((q) => q.includes(topic)), topic).toHaveLength(1);
    await overview.page.close();
    const { page, errors } = await open("/marketing/experiments.html");
    const table = await page.locator("table").last().innerText();
    for (const r of x.runs.slice(0, 10)) expect(table).toContain(r.verdict);
    expect(x.runs.find((r) => r.id === x.recommended.runId)!.verdict).toBe("chosen");
    expect(errors).toEqual([]);
    await page.close();
  });

  it("shows what changed on CDNOW's Drift page, and on the Overview when the data is from and the model to score with", async () => {
    const d = reportJson("cdnow", "drift");
    expect(d.snapshots.map((x: { date: string }) => x.date)).toEqual(["1998-04-01", "1998-07-01"]);
    const pair = d.pairs[0];
    const { page, errors } = await open("/cdnow/drift.html");
    const text = await page.locator("main").innerText();
    expect(text).toContain(`${pair.from} → ${pair.to}`);
    for (const reason of pair.reasons) expect(text).toContain(reason);
    // Migration heatmap: (segments + new) × (segments + gone) cells; a PSI bar per feature.
    const k = pair.segments.length;
    expect(await page.locator("g[aria-label='cell'] > *").count()).toBe((k + 1) * (k + 1));
    expect(await page.locator("g[aria-label='bar'] > *").count()).toBe(Object.keys(pair.psi).length);
    expect(await page.locator("g[aria-label='line'] > path").count()).toBe(d.timeline.names.length);
    expect(errors).toEqual([]);
    await page.close();
    const o = reportJson("cdnow", "overview");
    const overview = await open("/cdnow/index.html");
    await expect(overview.page.locator("main").innerText()).resolves.toContain(`Data as of ${o.review.asOf} · next review due ${o.review.nextReview}`);
    const href = await overview.page.getByRole("link", { name: "the model" }).getAttribute("href");
    const model = await (await fetch(new URL(href!, site.url + "/cdnow/index.html"))).json();
    expect(model.format).toBe("segmentation-workbench model");
    expect(model.segments.map((s: { name: string }) => s.name).sort()).toEqual(o.recommended.segments.map((s) => s.name).sort());
    expect(JSON.stringify(model)).not.toMatch(/"ids"|"labels"/);
    await overview.page.close();
  });

  it("redraws the scatter and the silhouette plot when the algorithm or k changes", async () => {
    const { page, errors } = await open("/wholesale/compare.html");
    // Each chart names the run it shows (aria-label): wait for that rather than for time to pass.
    const pictures = async (run: string) => {
      const scatter = page.locator(`svg[aria-label^="Principal components coloured by the segments of ${run}"]`);
      const silhouette = page.locator(`svg[aria-label^="Silhouettes of ${run}"]`);
      await scatter.waitFor();
      await silhouette.waitFor();
      return { scatter: await scatter.innerHTML(), silhouette: await silhouette.innerHTML() };
    };
    const selects = page.locator("form select");
    await selects.nth(0).selectOption({ label: "hierarchical ward" });
    await selects.nth(1).selectOption({ index: 0 });
    const ward2 = await pictures("hierarchical ward k=2");
    await selects.nth(1).selectOption({ index: 3 });
    const ward5 = await pictures("hierarchical ward k=5");
    expect(ward5.scatter).not.toBe(ward2.scatter);
    expect(ward5.silhouette).not.toBe(ward2.silhouette);
    await selects.nth(0).selectOption({ label: "kmeans" });
    const kmeans = await pictures("kmeans k=");
    expect(kmeans.silhouette).not.toBe(ward5.silhouette);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("runs every page idiom of the README offline", async () => {
    const { page, errors } = await open("/idioms.html");
    await expect(page.locator("#idioms-result").textContent()).resolves.toBe("440 customers; doubled 2,4; max 2");
    expect(await page.locator("figure svg rect, svg[class^=plot] rect").count()).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("reaches every page through its links on a server that maps no clean URLs, in a subfolder", async () => {
    // Every link of the home page (cards, sidebar) and of each report page (sidebar, pager),
    // resolved as the browser resolves it, must name a file the plain server has.
    const seen = new Set<string>();
    const broken: string[] = [];
    for (const path of ["/index.html", ...pages.map((p) => p.path)]) {
      const { page } = await open(path);
      const hrefs = await page.locator("a[href]").evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
      await page.close();
      for (const href of hrefs) {
        const url = href.split("#")[0];
        if (!url.startsWith(site.url) || seen.has(url)) continue;
        seen.add(url);
        const response = await fetch(url);
        if (response.status !== 200) broken.push(`${url} (from ${path}): HTTP ${response.status}`);
      }
    }
    expect(broken).toEqual([]);
    for (const p of pages) expect(seen, p.path).toContain(site.url + p.path);
  });

  it("keeps each page's data under 2 MB", () => {
    const files = join(dir, "dist", "_file", "data");
    for (const d of datasets) {
      for (const name of readdirSync(join(files, d, "report"))) {
        expect(statSync(join(files, d, "report", name)).size, `${d}/${name}`).toBeLessThan(2 * 2 ** 20);
      }
    }
  });

  it("sends no request to any other host", () => {
    expect(offsite).toEqual([]);
    expect(thirdPartyLoads(join(dir, "dist"))).toEqual([]);
  });

  it("shows an HTML injection in the data as text and runs nothing", async () => {
    for (const p of ["/inject/index.html", "/inject/segments.html", "/inject/compare.html", "/inject/evaluation.html"]) {
      const { page, errors } = await open(p);
      expect(errors).toEqual([]);
      expect(await page.locator("img[src=x]").count()).toBe(0);
      await page.close();
    }
    const { page } = await open("/inject/segments.html");
    expect(await page.locator("body").textContent()).toContain(INJECTION);
    await page.close();
    expect(dialogs).toBe(0);
  });

  it("publishes no personal data", () => {
    const hits: string[] = [];
    const walk = (d: string) => {
      for (const name of readdirSync(d)) {
        const p = join(d, name);
        if (statSync(p).isDirectory()) walk(p);
        else {
          const text = readFileSync(p).toString("latin1");
          for (const e of EMAILS) if (text.includes(e)) hits.push(`${p}: ${e}`);
          if (text.includes("secret@example")) hits.push(`${p}: secret@example`);
        }
      }
    };
    walk(join(dir, "dist"));
    // The LLM cache holds only what was sent and answered: aggregates, no e-mail.
    walk(join(dir, "data", "personas"));
    expect(readdirSync(join(dir, "data", "personas"))).toEqual(["inject.json"]);
    expect(existsSync(join(dir, "dist", "inject", "index.html"))).toBe(true);
    expect(hits).toEqual([]);
  });
});
