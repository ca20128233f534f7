import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, extname, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { AlgorithmName } from "../cluster/types.ts";
import { WorkbenchError } from "../errors.ts";
import { ALGORITHMS } from "../experiment/grid.ts";
import { parseSnapshot } from "../features/rfm.ts";
import { parseRecords } from "../io/parse.ts";
import { findDataset, loadManifest, parseManifest } from "../manifest/load.ts";
import { projectRoot } from "../paths.ts";
import type { AlgorithmGrid, ColumnRole, DatasetEntry, ExperimentOptions, FileFormat } from "../manifest/types.ts";

export const SEGMENT_USAGE = `Usage: npm run --silent segment -- (--dataset NAME | --input FILE [column options]) [options]

Input
  --dataset NAME            a dataset of data/manifest.json (its columns and file as the manifest says)
  --input FILE              a CSV, TSV or whitespace-separated file, described by the flags below
  --format csv|tsv|whitespace   default: from the file extension (.tsv → tsv, .txt → whitespace, else csv)
  customer tables:
  --id COL                  customer id column
  --features A,B,..         numeric feature columns (default: every column not named elsewhere)
  --categorical C,..        categorical feature columns (one-hot encoded)
  --label COL               gold-standard label: adds ari, nmi, ... to each run's metrics
  transaction logs: --customer COL --date COL --amount COL [--quantity COL] [--date-format F]

Preparation (with --dataset: override the manifest entry's settings)
  --missing median|drop     default median
  --outliers keep|cap|drop  default keep (flagged and counted, values unchanged)
  --transform none|log1p|skewed   default none (skewed: log1p of columns with skewness > 1)
  --scale zscore|minmax|robust|none   default zscore
  --snapshot YYYY-MM-DD     transaction logs: first day not observed (default: day after the last)

Algorithm (without --algorithm: the whole grid, as on the site)
  --algorithm kmeans|hierarchical|dbscan|gmm   that algorithm's part of the grid, narrowed by:
  --k N                     kmeans, hierarchical, gmm; without it, k = 2..10 (or the manifest's list)
  --linkage ward|average|complete|single   hierarchical; default ward
  --eps X                   dbscan; without it, 0.5, 0.75, 1, 1.5, 2 × the k-distance suggestion
  --min-points M            dbscan; default max(4, 2 × features)
  --n-init N  --max-iter N  kmeans and gmm
  --seed S                  default 42 (or the manifest's); a run's seed follows from S and its id

Output: one JSON document on stdout: {dataset, n, features, rows, ids, recommended, runs: [{id,
algorithm, params, labels, metrics, notes, seconds}]}; labels[i] belongs to data row rows[i] (for a
transaction log, customer rows[i] in order of first appearance, id ids[i]). Progress goes to stderr.
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

type Flags = Partial<Record<Exclude<keyof typeof OPTIONS, "help">, string>>;

/** Flags that say what the file's columns are: a manifest entry's columns are its contract. */
const COLUMN_FLAGS = ["format", "id", "features", "categorical", "label", "customer", "date", "amount", "quantity", "date-format"] as const;
const CUSTOMER_TABLE_FLAGS = ["id", "features", "categorical", "label"] as const;
const TRANSACTION_FLAGS = ["customer", "date", "amount", "quantity", "date-format", "snapshot"] as const;
/** Algorithm flags and the algorithms each applies to. */
const APPLIES_TO: Record<string, readonly AlgorithmName[]> = {
  k: ["kmeans", "hierarchical", "gmm"],
  linkage: ["hierarchical"],
  eps: ["dbscan"],
  "min-points": ["dbscan"],
  "n-init": ["kmeans", "gmm"],
  "max-iter": ["kmeans", "gmm"]
};
const LINKAGES = ["ward", "average", "complete", "single"];

export interface SegmentArgs {
  help: boolean;
  /**
   * The dataset entry to run: the manifest's (--dataset) or one built from the flags (--input),
   * with the preparation flags applied and, with --algorithm, its experiment narrowed to that
   * algorithm's grid, so the runs carry the site's run ids and seeds.
   */
  entry: DatasetEntry;
  /** --input as given: the file to read instead of data/<entry.file>. */
  input?: string;
  /** --k, checked against the number of customers once the data is prepared. */
  k?: number;
}

export function parseSegmentArgs(argv: string[]): SegmentArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new WorkbenchError((error as Error).message.split("\n")[0], { hint: "Run with --help for the options" });
  }
  if (values.help) return { help: true, entry: undefined as never };
  const v = values as Flags;
  for (const [flag, value] of Object.entries(v)) {
    if (typeof value === "string" && value.trim() === "") throw new WorkbenchError(`--${flag} needs a value`, { found: value });
  }

  let entry: DatasetEntry;
  if (v.dataset !== undefined) {
    if (v.input !== undefined) throw new WorkbenchError("give either --dataset or --input, not both");
    const [flag] = given(v, COLUMN_FLAGS);
    if (flag) {
      throw new WorkbenchError(`--${flag} cannot be used with --dataset`, {
        hint: "A manifest dataset's file and columns are set in data/manifest.json: edit its entry there, or give the file with --input and the column flags"
      });
    }
    entry = structuredClone(findDataset(loadManifest(), v.dataset));
  } else if (v.input !== undefined) {
    entry = entryFromFlags(v, resolve(v.input), v.input);
  } else {
    throw new WorkbenchError("no input", { hint: "Give --dataset NAME or --input FILE (see --help)" });
  }

  if (v.snapshot !== undefined) {
    if (entry.kind !== "transactions") {
      throw new WorkbenchError("--snapshot is for transaction logs only", {
        found: v.snapshot,
        hint: v.dataset !== undefined ? `Dataset "${entry.name}" is a customer table` : "Give --customer, --date and --amount to read a transaction log"
      });
    }
    try {
      parseSnapshot(v.snapshot);
    } catch {
      throw new WorkbenchError("--snapshot: invalid date", { found: v.snapshot, expected: "YYYY-MM-DD, e.g. 1998-07-01" });
    }
    entry.experiment.snapshot = v.snapshot;
  }
  for (const key of ["missing", "outliers", "transform", "scale"] as const) {
    if (v[key] !== undefined) (entry.prepare as unknown as Record<string, string>)[key] = v[key];
  }
  // Re-validate the prepare options through the manifest rules, naming the flag on error.
  try {
    parseManifest({ datasets: { cli: { ...manifestShape(entry), prepare: entry.prepare } } }, "command line");
  } catch (error) {
    const m = /datasets\.cli\.prepare\.(\w+)"?: (.*)/.exec((error as Error).message);
    throw m ? new WorkbenchError(`--${m[1]}: ${m[2]}`) : error;
  }
  if (v.seed !== undefined) entry.experiment.seed = integer(v.seed, "--seed", 0);

  const algorithmFlags = given(v, Object.keys(APPLIES_TO));
  if (v.algorithm === undefined) {
    if (algorithmFlags.length) {
      throw new WorkbenchError(`--${algorithmFlags[0]} needs --algorithm`, {
        hint: `Name the algorithm it is for, e.g. --algorithm ${APPLIES_TO[algorithmFlags[0]][0]} --${algorithmFlags[0]} ${v[algorithmFlags[0] as keyof Flags]}`
      });
    }
    return { help: false, entry, input: v.input };
  }
  const algorithm = v.algorithm as AlgorithmName;
  if (!ALGORITHMS.includes(algorithm)) {
    throw new WorkbenchError("--algorithm: unknown algorithm", { found: v.algorithm, expected: ALGORITHMS.join(", ") });
  }
  for (const flag of algorithmFlags) {
    if (!APPLIES_TO[flag].includes(algorithm)) {
      throw new WorkbenchError(`--${flag} does not apply to --algorithm ${algorithm}`, { hint: `It is for ${APPLIES_TO[flag].join(", ").replace(/, ([^,]*)$/, " and $1")}` });
    }
  }
  const k = v.k === undefined ? undefined : integer(v.k, "--k", 1);
  entry.experiment = narrowExperiment(entry.experiment, algorithm, v, k);
  return { help: false, entry, input: v.input, k };
}

/** The --k check that needs the data: no more segments than customers. */
export function checkAgainstData(args: SegmentArgs, n: number): void {
  if (args.k !== undefined && args.k > n) {
    throw new WorkbenchError("--k is larger than the number of customers", { found: String(args.k), expected: `at most ${n}` });
  }
}

/**
 * The experiment of the site's grid restricted to one algorithm, with the flags replacing its
 * grid settings and the others (e.g. the manifest's kmeans nInit) kept. Runs come from planRuns
 * as on the site, so ids, parameters and seeds match. The manifest's pinned recommendation
 * (recommend.algorithm / recommend.k) is dropped: with --algorithm the user chose the runs.
 */
function narrowExperiment(experiment: ExperimentOptions, algorithm: AlgorithmName, v: Flags, k: number | undefined): ExperimentOptions {
  const grid = experiment.grid ?? {};
  const own: Record<string, unknown> = { ...(grid[algorithm] ?? {}) };
  if (k !== undefined) own.k = [k];
  if (v.linkage !== undefined) {
    if (!LINKAGES.includes(v.linkage)) throw new WorkbenchError("--linkage: unknown linkage", { found: v.linkage, expected: LINKAGES.join(", ") });
    own.linkage = [v.linkage];
  }
  if (v.eps !== undefined) {
    const eps = Number(v.eps);
    if (!(eps > 0) || !Number.isFinite(eps)) throw new WorkbenchError("--eps must be a number > 0", { found: v.eps });
    own.eps = [eps];
  }
  if (v["min-points"] !== undefined) own.minPoints = integer(v["min-points"], "--min-points", 1);
  if (v["n-init"] !== undefined) own.nInit = integer(v["n-init"], "--n-init", 1);
  if (v["max-iter"] !== undefined) own.maxIter = integer(v["max-iter"], "--max-iter", 1);
  const narrowed: ExperimentOptions = { ...experiment, algorithms: [algorithm], grid: { ...grid, [algorithm]: own } as AlgorithmGrid };
  if (experiment.recommend) {
    const { algorithm: _pinnedAlgorithm, k: _pinnedK, ...rule } = experiment.recommend;
    narrowed.recommend = rule;
  }
  return narrowed;
}

function entryFromFlags(v: Flags, path: string, shown: string): DatasetEntry {
  if (!existsSync(path) || !statSync(path).isFile()) {
    throw new WorkbenchError("data file not found", { file: shown, hint: "Check the --input path" });
  }
  const format = (v.format ?? formatFromExtension(path)) as FileFormat;
  if (!["csv", "tsv", "whitespace"].includes(format)) {
    throw new WorkbenchError("--format: unknown format", { found: format, expected: "csv, tsv or whitespace" });
  }
  const columns: Record<string, ColumnRole> = {};
  const list = (s: string | undefined) => (s ? s.split(",").map((x) => x.trim()).filter(Boolean) : []);
  // A column named by two flags would silently take the last role.
  const namedBy = new Map<string, string>();
  const name = (column: string, flag: string) => {
    const other = namedBy.get(column);
    if (other !== undefined && other !== flag) throw new WorkbenchError(`column "${column}" is named by both --${other} and --${flag}`, { hint: "Give each column one role" });
    namedBy.set(column, flag);
    return column;
  };
  const transactions = given(v, ["customer", "date", "amount"]).length > 0;
  if (transactions) {
    const [flag] = given(v, CUSTOMER_TABLE_FLAGS);
    if (flag) {
      throw new WorkbenchError(`--${flag} is for customer tables, not transaction logs`, {
        hint: "A transaction log's features (recency, frequency, monetary, ...) are derived from --customer, --date and --amount"
      });
    }
    for (const flag of ["customer", "date", "amount"] as const) {
      if (v[flag] === undefined) throw new WorkbenchError(`--${flag} is missing`, { hint: "A transaction log needs --customer, --date and --amount" });
    }
    columns[name(v.customer!, "customer")] = "id";
    columns[name(v.date!, "date")] = "date";
    columns[name(v.amount!, "amount")] = "amount";
    if (v.quantity !== undefined) columns[name(v.quantity, "quantity")] = "quantity";
  } else {
    const [flag] = given(v, TRANSACTION_FLAGS);
    if (flag) {
      throw new WorkbenchError(`--${flag} is for transaction logs only`, { hint: "Give --customer, --date and --amount to read a transaction log" });
    }
    const roles: Record<string, ColumnRole> = {};
    if (v.id !== undefined) roles[name(v.id, "id")] = "id";
    if (v.label !== undefined) roles[name(v.label, "label")] = "label";
    for (const c of list(v.categorical)) roles[name(c, "categorical")] = "categorical";
    const header = headerOf(path, format, shown);
    const features = list(v.features);
    for (const c of features) roles[name(c, "features")] = "numeric";
    if (!features.length) for (const c of header.filter((c) => !(c in roles))) roles[c] = "numeric";
    if (!Object.values(roles).some((r) => r === "numeric" || r === "categorical")) {
      throw new WorkbenchError("no feature columns", { file: shown, hint: "Name them with --features or --categorical" });
    }
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
    ...(v["date-format"] !== undefined ? { dateFormat: v["date-format"] } : {})
  };
  try {
    return parseManifest({ datasets: { cli: raw } }, "command line").datasets[0];
  } catch (error) {
    const m = /datasets\.cli\.dateFormat"?: (?:column "dateFormat": )?(.*)/.exec((error as Error).message);
    throw m ? new WorkbenchError(`--date-format: ${m[1]}`) : error;
  }
}

function given(v: Flags, flags: readonly string[]): string[] {
  return flags.filter((f) => v[f as keyof Flags] !== undefined);
}

/**
 * Errors met while reading and preparing an --input file, reworded for the command line: the
 * reader speaks of data/manifest.json and of the entry's name, which here are the flags.
 */
export function commandLineError(error: WorkbenchError, entry: DatasetEntry, input: string): WorkbenchError {
  // The reader names the file relative to the project; the user named it as given to --input.
  const file = relative(projectRoot(), resolve(input)) || input;
  const columnFlags = entry.kind === "transactions" ? "--customer/--date/--amount/--quantity" : "--id/--features/--categorical/--label";
  const text = (error.message.startsWith(`${file}: `) || error.message.startsWith(`${file}, `) ? input + error.message.slice(file.length) : error.message)
    .replace("a column named in data/manifest.json", `a column named on the command line (${columnFlags})`)
    .replace(/Fix the column name under "columns" of dataset "[^"]*", or/, "Fix the column name on the command line, or")
    .replace('set "dateFormat" in data/manifest.json', "set --date-format")
    .replace(/Put the file there, or fix "file" of dataset "[^"]*" in data\/manifest\.json/, "Check the --input path")
    .replace("the column roles and the date format in the manifest", "--customer, --date and --date-format")
    .replace(/ of dataset "[^"]*"/g, "")
    .replace(/(in )?data\/manifest\.json/g, "on the command line");
  return text === error.message ? error : new WorkbenchError(text);
}

function manifestShape(e: DatasetEntry) {
  return { title: e.title, kind: e.kind, file: e.file, format: e.format, columns: e.columns, dateFormat: e.dateFormat };
}

function formatFromExtension(path: string): FileFormat {
  const ext = extname(path).toLowerCase();
  return ext === ".tsv" ? "tsv" : ext === ".txt" ? "whitespace" : "csv";
}

function headerOf(path: string, format: FileFormat, shown: string): string[] {
  const text = readFileSync(path, "utf8");
  let header: string[] = [];
  const stop = {};
  try {
    parseRecords(text, format, shown, (fields) => {
      header = fields.map((f) => f.trim());
      throw stop;
    });
  } catch (error) {
    if (error !== stop) throw error;
  }
  return header;
}

function integer(text: string, flag: string, min: number): number {
  const x = /^\d+$/.test(text.trim()) ? Number(text) : NaN;
  if (!Number.isSafeInteger(x) || x < min) {
    throw new WorkbenchError(`${flag} must be a whole number ≥ ${min}`, { found: text });
  }
  return x;
}
