import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Versions for the `npm:` imports inside Framework's own client code. While bundling its
 * client, Framework turns each into a versioned URL and, when its cache holds no version of the
 * package, asks registry.npmjs.org for the latest one — so a first build with no network fails
 * (`npm:react-dom@latest → fetch failed`) and a build with network depends on the day it ran.
 * Framework resolves a version from a folder name in .observablehq/cache/_npm before going to
 * the registry, so seeding those folders makes the build offline and reproducible. Nothing is
 * downloaded: these libraries are only fetched by a page that uses them (React for JSX pages,
 * DuckDB for SQL, ...), which this project's pages do not; a page that did would need the CDN.
 * `test/offline.test.ts` checks that every such import of the installed Framework is listed.
 */
export const FRAMEWORK_NPM_VERSIONS: Readonly<Record<string, string>> = {
  "@duckdb/duckdb-wasm": "1.29.0",
  "@observablehq/plot": "0.6.17",
  "@observablehq/sample-datasets": "1.0.1",
  "@uwdata/vgplot": "0.32.0",
  "@viz-js/viz": "3.31.0",
  "apache-arrow": "21.2.0",
  arquero: "8.0.3",
  d3: "7.9.2",
  "d3-dsv": "3.0.2",
  echarts: "6.1.0",
  exceljs: "4.4.0",
  htl: "0.3.1",
  jszip: "3.10.2",
  katex: "0.19.1",
  leaflet: "1.9.4",
  lodash: "4.18.1",
  "mapbox-gl": "3.32.0",
  mermaid: "12.3.0",
  "parquet-wasm": "0.8.0",
  react: "19.3.1",
  "react-dom": "19.3.1",
  "sql.js": "1.17.0",
  "topojson-client": "3.1.0",
  vega: "6.4.0",
  "vega-lite": "6.5.0",
  "vega-lite-api": "6.0.0"
};

/** Creates the version folders Framework looks for, for every package without one. */
export function seedFrameworkNpmVersions(root: string): void {
  const dir = join(root, "src", ".observablehq", "cache", "_npm");
  const cached = new Set<string>();
  try {
    for (const entry of readdirSync(dir)) {
      if (entry.startsWith("@")) for (const sub of readdirSync(join(dir, entry))) cached.add(packageName(`${entry}/${sub}`));
      else cached.add(packageName(entry));
    }
  } catch {
    // No cache yet.
  }
  for (const [name, version] of Object.entries(FRAMEWORK_NPM_VERSIONS)) {
    if (!cached.has(name)) mkdirSync(join(dir, `${name}@${version}`), { recursive: true });
  }
}

/** "d3@7.9.2" → "d3", "@scope/pkg@1.0.0" → "@scope/pkg". */
function packageName(folder: string): string {
  const at = folder.indexOf("@", 1);
  return at < 0 ? folder : folder.slice(0, at);
}

/**
 * The packages Framework's client imports as `npm:NAME` without a version, other than those it
 * maps to its own bundled modules: what FRAMEWORK_NPM_VERSIONS must cover.
 */
export function frameworkNpmImports(root: string): string[] {
  const dist = join(root, "node_modules", "@observablehq", "framework", "dist");
  const builtins = new Set([...readFileSync(join(dist, "resolvers.js"), "utf8").matchAll(/\["npm:([^"]+)",\s*"\/_observablehq\//g)].map((m) => m[1]));
  const names = new Set<string>();
  for (const file of readdirSync(join(dist, "client"), { recursive: true }) as string[]) {
    if (!file.endsWith(".js")) continue;
    for (const m of readFileSync(join(dist, "client", file), "utf8").matchAll(/["'`]npm:((?:@[^/"'`@]+\/)?[^/"'`@]+)(@[^"'`/]*)?/g)) {
      if (!m[2] && !builtins.has(m[1])) names.add(m[1]);
    }
  }
  return [...names].sort();
}
