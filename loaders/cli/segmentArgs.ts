import { readFileSync } from "node:fs";
import { basename, extname, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { AlgorithmName } from "../cluster/types.ts";
import { WorkbenchError } from "../errors.ts";
import { ALGORITHMS, DEFAULT_KS, defaultMinPoints, type PlannedRun } from "../experiment/grid.ts";
import { parseRecords } from "../io/parse.ts";
import { findDataset, loadManifest, parseManifest } from "../manifest/load.ts";
import type { ColumnRole, DatasetEntry, FileFormat } from "../manifest/types.ts";
import type { FeatureMatrix } from "../matrix.ts";

export const SEGMENT_USAGE = `Usage: npm run --silent segment -- (--dataset NAME | --input FILE [options]) [algorithm options]

Input
  --dataset NAME            a dataset of data/manifest.json (flags below override its settings)
  --input FILE              a CSV, TSV or whitespace-separated file
  --format csv|tsv|whitespace   default: from the file extension (.tsv → tsv, .txt → whitespace, else csv)
  --id COL                  customer id column
  --features A,B,..         numeric feature columns (default: every column not named elsewhere)
  --categorical C,..        categorical feature columns (one-hot encoded)
  --label COL               gold-standard label: adds ari, nmi, ... to each run's metrics
  transaction logs: --customer COL --date COL --amount COL [--quantity COL] [--date-format F] [--snapshot YYYY-MM-DD]

Preparation
  --missing median|drop     default median
  --outliers keep|cap|drop  default keep (flagged and counted, values unchanged)
  --transform none|log1p    default none
  --scale zscore|minmax|robust|none   default zscore

Algorithm (without --algorithm: the default grid of every algorithm)
  --algorithm kmeans|hierarchical|dbscan|gmm
  --k N                     segments (kmeans, hierarchical, gmm); without it, k = 2..10
  --linkage ward|average|complete|single   hierarchical, default ward
  --eps X  --min-points M   dbscan; without --eps, the k-distance suggestion
  --n-init N  --max-iter N  kmeans and gmm
  --seed S                  default 42

Output: one JSON document on stdout: {n, features, rows, ids, recommended, runs: [{algorithm,
params, labels, metrics, seconds}]}; labels[i] belongs to data row rows[i] (for a transaction log,
customer rows[i] in order of first appearance, id ids[i]). Progress goes to stderr.
`;

const OPTIONS = {
  help: { type: "boolean" },
  dataset: { type: "string" },
  input: { type: "string" },
  format: { type: "string" },
  id: { type: "string" },
  features: { type: "string" },
  categorical: { type: "string" },
  label: { type: "string" },
  customer: { type: "string" },
  date: { type: "string" },
  amount: { type: "string" },
  quantity: { type: "string" },
  "date-format": { type: "string" },
  snapshot: { type: "string" },
  missing: { type: "string" },
  outliers: { type: "string" },
  transform: { type: "string" },
  scale: { type: "string" },
  algorithm: { type: "string" },
  k: { type: "string" },
  linkage: { type: "string" },
  eps: { type: "string" },
  "min-points": { type: "string" },
  "n-init": { type: "string" },
  "max-iter": { type: "string" },
  seed: { type: "string" }
} as const;

export interface SegmentArgs {
  help: boolean;
  entry: DatasetEntry;
  /** File to read instead of data/<entry.file>. */
  path?: string;
  /** Runs chosen by flags; undefined runs the default grid. */
  runs?: (matrix: FeatureMatrix) => PlannedRun[];
}

export function parseSegmentArgs(argv: string[]): SegmentArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new WorkbenchError((error as Error).message.split("\n")[0], { hint: "Run with --help for the options" });
  }
  const v = values as Record<string, string | undefined>;
  if (values.help) return { help: true, entry: undefined as never };
  let entry: DatasetEntry;
  let path: string | undefined;
  if (v.dataset) {
    if (v.input) throw new WorkbenchError("give either --dataset or --input, not both");
    entry = structuredClone(findDataset(loadManifest(), v.dataset));
  } else if (v.input) {
    path = resolve(v.input);
    entry = entryFromFlags(v, path);
  } else {
    throw new WorkbenchError("no input", { hint: "Give --dataset NAME or --input FILE (see --help)" });
  }
  for (const key of ["missing", "outliers", "transform", "scale"] as const) {
    if (v[key]) (entry.prepare as unknown as Record<string, string>)[key] = v[key]!;
  }
  // Re-validate the prepare options through the manifest rules, naming the flag on error.
  try {
    parseManifest({ datasets: { cli: { ...manifestShape(entry), prepare: entry.prepare } } }, "command line");
  } catch (error) {
    const m = /datasets\.cli\.prepare\.(\w+)"?: (.*)/.exec((error as Error).message);
    throw m ? new WorkbenchError(`--${m[1]}: ${m[2]}`) : error;
  }
  if (v.seed !== undefined) entry.experiment.seed = integer(v.seed, "--seed", 0);
  if (v.snapshot) entry.experiment.snapshot = v.snapshot;
  return { help: false, entry, path, runs: v.algorithm ? plannedFromFlags(v) : undefined };
}

function entryFromFlags(v: Record<string, string | undefined>, path: string): DatasetEntry {
  const format = (v.format ?? formatFromExtension(path)) as FileFormat;
  if (!["csv", "tsv", "whitespace"].includes(format)) {
    throw new WorkbenchError("--format: unknown format", { found: format, expected: "csv, tsv or whitespace" });
  }
  const columns: Record<string, ColumnRole> = {};
  const list = (s: string | undefined) => (s ? s.split(",").map((x) => x.trim()).filter(Boolean) : []);
  const transactions = Boolean(v.customer || v.date || v.amount);
  if (transactions) {
    for (const flag of ["customer", "date", "amount"] as const) {
      if (!v[flag]) throw new WorkbenchError(`--${flag} is missing`, { hint: "A transaction log needs --customer, --date and --amount" });
    }
    columns[v.customer!] = "id";
    columns[v.date!] = "date";
    columns[v.amount!] = "amount";
    if (v.quantity) columns[v.quantity] = "quantity";
  } else {
    const roles: Record<string, ColumnRole> = {};
    if (v.id) roles[v.id] = "id";
    if (v.label) roles[v.label] = "label";
    for (const c of list(v.categorical)) roles[c] = "categorical";
    const header = headerOf(path, format);
    const features = list(v.features);
    for (const c of features.length ? features : header.filter((c) => !(c in roles))) roles[c] = "numeric";
    // File order, so feature names come out as the columns stand in the file.
    const order = (c: string) => (header.includes(c) ? header.indexOf(c) : header.length);
    for (const c of Object.keys(roles).sort((a, b) => order(a) - order(b))) columns[c] = roles[c];
  }
  const raw = {
    title: basename(path),
    kind: transactions ? "transactions" : "customers",
    file: path,
    format,
    columns,
    ...(v["date-format"] ? { dateFormat: v["date-format"] } : transactions ? { dateFormat: "YYYY-MM-DD" } : {})
  };
  return parseManifest({ datasets: { cli: raw } }, "command line").datasets[0];
}

function manifestShape(e: DatasetEntry) {
  return { title: e.title, kind: e.kind, file: e.file, format: e.format, columns: e.columns, dateFormat: e.dateFormat };
}

function formatFromExtension(path: string): FileFormat {
  const ext = extname(path).toLowerCase();
  return ext === ".tsv" ? "tsv" : ext === ".txt" ? "whitespace" : "csv";
}

function headerOf(path: string, format: FileFormat): string[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new WorkbenchError("data file not found", { file: path, hint: "Check the --input path" });
  }
  let header: string[] = [];
  const stop = {};
  try {
    parseRecords(text, format, path, (fields) => {
      header = fields.map((f) => f.trim());
      throw stop;
    });
  } catch (error) {
    if (error !== stop) throw error;
  }
  return header;
}

function plannedFromFlags(v: Record<string, string | undefined>): (matrix: FeatureMatrix) => PlannedRun[] {
  const algorithm = v.algorithm as AlgorithmName;
  if (!ALGORITHMS.includes(algorithm)) {
    throw new WorkbenchError("--algorithm: unknown algorithm", { found: v.algorithm, expected: ALGORITHMS.join(", ") });
  }
  const params: Record<string, unknown> = {};
  if (v["n-init"] !== undefined) params.nInit = integer(v["n-init"], "--n-init", 1);
  if (v["max-iter"] !== undefined) params.maxIter = integer(v["max-iter"], "--max-iter", 1);
  if (v.linkage) params.linkage = v.linkage;
  if (v["min-points"] !== undefined) params.minPoints = integer(v["min-points"], "--min-points", 1);
  if (v.eps !== undefined) {
    const eps = Number(v.eps);
    if (!(eps > 0) || !Number.isFinite(eps)) throw new WorkbenchError("--eps must be a number > 0", { found: v.eps });
    params.eps = eps;
  }
  const k = v.k === undefined ? undefined : integer(v.k, "--k", 1);
  return (matrix) => {
    if (k !== undefined && k > matrix.n) {
      throw new WorkbenchError("--k is larger than the number of customers", { found: String(k), expected: `at most ${matrix.n}` });
    }
    if (algorithm === "dbscan") {
      return [{ id: `dbscan eps=${params.eps ?? "auto"}`, algorithm, params: { minPoints: defaultMinPoints(matrix.d), ...params } }];
    }
    const ks = k !== undefined ? [k] : DEFAULT_KS.filter((x) => x <= matrix.n);
    return ks.map((kk) => ({ id: `${algorithm} k=${kk}`, algorithm, params: { ...params, k: kk } }));
  };
}

function integer(text: string, flag: string, min: number): number {
  const x = Number(text);
  if (!Number.isInteger(x) || x < min) {
    throw new WorkbenchError(`${flag} must be a whole number ≥ ${min}`, { found: text });
  }
  return x;
}
