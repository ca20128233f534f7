/**
 * The flags that say which data a command reads — a manifest dataset, or a file described by
 * flags — shared by `segment` and `value`. A file given with --input is the one thing outside
 * data/ the workbench reads, because the user named it.
 */
import { basename, extname, relative } from "node:path";
import { WorkbenchError } from "../errors.ts";
import { parseRecords } from "../io/parse.ts";
import { textChunks, type Encoding } from "../io/text.ts";
import { findDataset, loadManifest, parseManifest } from "../manifest/load.ts";
import type { ColumnRole, DatasetEntry, TextFormat } from "../manifest/types.ts";
import { projectRoot } from "../paths.ts";
import { userPath, type CommandIO } from "./command.ts";

export const INPUT_OPTIONS = {
  dataset: { type: "string" },
  input: { type: "string" },
  format: { type: "string" },
  encoding: { type: "string" },
  "no-header": { type: "boolean" },
  id: { type: "string" },
  features: { type: "string" },
  categorical: { type: "string" },
  label: { type: "string" },
  outcome: { type: "string" },
  positive: { type: "string" },
  customer: { type: "string" },
  date: { type: "string" },
  amount: { type: "string" },
  quantity: { type: "string" },
  price: { type: "string" },
  invoice: { type: "string" },
  "cancel-prefix": { type: "string" },
  "cancel-negative-quantity": { type: "boolean" },
  "date-format": { type: "string" },
  "missing-values": { type: "string" }
} as const;

export const INPUT_USAGE = `Input
  --dataset NAME            a dataset of data/manifest.json (its columns and file as the manifest says)
  --input FILE              a CSV, TSV or whitespace-separated file (relative to where you run npm), described by:
  --format csv|tsv|whitespace   default: from the file extension (.tsv → tsv, .txt → whitespace, else csv)
  --encoding E              utf-8 (default), utf-16le, utf-16be, latin1, windows-1252
  --no-header               the file has no header row: columns are named 1, 2, 3, …
  --missing-values A,B,..   texts that mean a missing value besides the empty field (NA, -999, ...)
  customer tables:
  --id COL                  customer id column (default: a unique identifier-like column, if any)
  --features A,B,..         numeric feature columns (default: every other column, roles inferred:
                            numbers numeric, texts categorical, e-mails and phones personal)
  --categorical C,..        categorical feature columns (one-hot encoded)
  --label COL               gold-standard label: adds ari, nmi, ... to each run's metrics
  --outcome COL [--positive V]   a binary outcome (churn, response): never a feature; the value that
                            means it happened (default for 1/0, yes/no, true/false: 1, yes, true)
  transaction logs: --customer COL --date COL (--amount COL | --quantity COL --price COL)
  [--quantity COL] [--date-format F] [--invoice COL --cancel-prefix C] [--cancel-negative-quantity]
`;

type InputFlags = Partial<Record<keyof typeof INPUT_OPTIONS, string | boolean>>;

/** Flags that say what the file's columns are: a manifest entry's columns are its contract. */
const COLUMN_FLAGS = ["format", "encoding", "no-header", "id", "features", "categorical", "label", "outcome", "positive", "customer", "date", "amount", "quantity", "price", "invoice", "cancel-prefix", "cancel-negative-quantity", "date-format", "missing-values"] as const;
const CUSTOMER_TABLE_FLAGS = ["id", "features", "categorical", "label", "outcome", "positive"] as const;
export const TRANSACTION_FLAGS = ["customer", "date", "amount", "quantity", "price", "invoice", "cancel-prefix", "cancel-negative-quantity", "date-format"] as const;

export function given(v: Record<string, unknown>, flags: readonly string[]): string[] {
  return flags.filter((f) => v[f] !== undefined);
}

/** A file the user named with --input: where it is, and how they wrote it (for messages). */
export interface InputFile {
  path: string;
  typed: string;
}

/**
 * The dataset entry the flags describe, and the file to read instead of data/<entry.file>
 * (--input, resolved from the caller's folder).
 */
export function inputEntry(v: InputFlags, io: CommandIO, extraTransactionFlags: readonly string[] = []): { entry: DatasetEntry; input?: InputFile } {
  if (v.dataset !== undefined) {
    if (v.input !== undefined) throw new WorkbenchError("give either --dataset or --input, not both");
    const [flag] = given(v, COLUMN_FLAGS);
    if (flag) {
      throw new WorkbenchError(`--${flag} cannot be used with --dataset`, {
        hint: "A manifest dataset's file and columns are set in data/manifest.json: edit its entry there, or give the file with --input and the column flags"
      });
    }
    return { entry: structuredClone(findDataset(loadManifest(), v.dataset as string)) };
  }
  if (v.input !== undefined) {
    const input = { path: userPath(io, v.input as string), typed: v.input as string };
    try {
      return { entry: entryFromFlags(v, input.path, input.typed, extraTransactionFlags), input };
    } catch (error) {
      const kind = given(v, ["customer", "date", "amount", "price"]).length ? "transactions" : "customers";
      throw error instanceof WorkbenchError ? commandLineError(error, kind, input) : error;
    }
  }
  throw new WorkbenchError("no input", { hint: "Give --dataset NAME or --input FILE (see --help)" });
}

function entryFromFlags(v: InputFlags, path: string, shown: string, extraTransactionFlags: readonly string[]): DatasetEntry {
  const text = (flag: keyof InputFlags) => v[flag] as string | undefined;
  const format = (text("format") ?? formatFromExtension(path)) as TextFormat;
  if (!["csv", "tsv", "whitespace"].includes(format)) {
    throw new WorkbenchError("--format: unknown format", { found: format, expected: "csv, tsv or whitespace" });
  }
  const columns: Record<string, ColumnRole | { role: "outcome"; positive: string }> = {};
  const list = (s: string | undefined) => (s ? s.split(",").map((x) => x.trim()).filter(Boolean) : []);
  // A column named by two flags would silently take the last role.
  const namedBy = new Map<string, string>();
  const name = (column: string, flag: string) => {
    const other = namedBy.get(column);
    if (other !== undefined && other !== flag) throw new WorkbenchError(`column "${column}" is named by both --${other} and --${flag}`, { hint: "Give each column one role" });
    namedBy.set(column, flag);
    return column;
  };
  const transactions = given(v, ["customer", "date", "amount", "price"]).length > 0;
  let otherColumns: "ignore" | "infer" = "ignore";
  let cancellations: DatasetEntry["cancellations"];
  if (transactions) {
    const [flag] = given(v, CUSTOMER_TABLE_FLAGS);
    if (flag) {
      throw new WorkbenchError(`--${flag} is for customer tables, not transaction logs`, {
        hint: "A transaction log's features (recency, frequency, monetary, ...) are derived from --customer, --date and --amount"
      });
    }
    for (const flag of ["customer", "date"] as const) {
      if (v[flag] === undefined) throw new WorkbenchError(`--${flag} is missing`, { hint: "A transaction log needs --customer, --date and --amount (or --quantity and --price)" });
    }
    if (v.amount === undefined && (v.price === undefined || v.quantity === undefined)) {
      throw new WorkbenchError("--amount is missing", { hint: "Give --amount, or --quantity and --price (amount = quantity × price)" });
    }
    columns[name(text("customer")!, "customer")] = "id";
    columns[name(text("date")!, "date")] = "date";
    if (v.amount !== undefined) columns[name(text("amount")!, "amount")] = "amount";
    if (v.quantity !== undefined) columns[name(text("quantity")!, "quantity")] = "quantity";
    if (v.price !== undefined) columns[name(text("price")!, "price")] = "price";
    if (v.invoice !== undefined) columns[name(text("invoice")!, "invoice")] = "invoice";
    if (v["cancel-prefix"] !== undefined && v.invoice === undefined) throw new WorkbenchError("--cancel-prefix needs --invoice, the column it applies to");
    if (v["cancel-negative-quantity"] && v.quantity === undefined) throw new WorkbenchError("--cancel-negative-quantity needs --quantity");
    if (v["cancel-prefix"] !== undefined || v["cancel-negative-quantity"]) {
      cancellations = {
        ...(v["cancel-prefix"] !== undefined ? { invoicePrefix: text("cancel-prefix") } : {}),
        ...(v["cancel-negative-quantity"] ? { negativeQuantity: true } : {})
      };
    }
  } else {
    const [flag] = given(v, [...TRANSACTION_FLAGS, ...extraTransactionFlags]);
    if (flag) {
      throw new WorkbenchError(`--${flag} is for transaction logs only`, { hint: "Give --customer, --date and --amount to read a transaction log" });
    }
    const roles: typeof columns = {};
    if (v.id !== undefined) roles[name(text("id")!, "id")] = "id";
    if (v.label !== undefined) roles[name(text("label")!, "label")] = "label";
    if (v.positive !== undefined && v.outcome === undefined) throw new WorkbenchError("--positive needs --outcome, the column it is a value of");
    if (v.outcome !== undefined) roles[name(text("outcome")!, "outcome")] = v.positive !== undefined ? { role: "outcome", positive: text("positive")! } : "outcome";
    for (const c of list(text("categorical"))) roles[name(c, "categorical")] = "categorical";
    const features = list(text("features"));
    for (const c of features) roles[name(c, "features")] = "numeric";
    if (features.length) {
      // File order, so feature names come out as the columns stand in the file.
      const header = headerOf(path, format, shown, v);
      const order = (c: string) => (header.includes(c) ? header.indexOf(c) : header.length);
      for (const c of Object.keys(roles).sort((a, b) => order(a) - order(b))) columns[c] = roles[c];
    } else {
      Object.assign(columns, roles);
      otherColumns = "infer";
    }
  }
  const raw = {
    title: basename(path) || path,
    kind: transactions ? "transactions" : "customers",
    // A placeholder for validation (the manifest rule wants a name inside data/); the path is set below.
    file: "input",
    format,
    columns,
    otherColumns,
    ...(v["no-header"] ? { header: false } : {}),
    ...(v.encoding !== undefined ? { encoding: v.encoding } : {}),
    ...(v["missing-values"] !== undefined ? { missingValues: ["", ...String(v["missing-values"]).split(",").map((x) => x.trim())] } : {}),
    ...(cancellations ? { cancellations } : {}),
    ...(v["date-format"] !== undefined ? { dateFormat: v["date-format"] } : {})
  };
  try {
    return { ...parseManifest({ datasets: { cli: raw } }, "command line").datasets[0], file: path };
  } catch (error) {
    const m = /datasets\.cli\.(dateFormat|encoding|columns)"?: (?:column "dateFormat": )?(.*)/.exec((error as Error).message);
    if (!m) throw error;
    const flag = { dateFormat: "--date-format", encoding: "--encoding", columns: "the column flags" }[m[1]];
    throw new WorkbenchError(`${flag}: ${m[2]}`);
  }
}

/**
 * Runs `read` on the input file (data/<entry.file> without --input); its errors are worded for
 * the flags, whether it throws or its promise rejects.
 */
export function withInputErrors<T>(entry: DatasetEntry, input: InputFile | undefined, read: (path?: string) => T): T {
  const reworded = (error: unknown) => (input !== undefined && error instanceof WorkbenchError ? commandLineError(error, entry.kind, input) : error);
  try {
    const result = read(input?.path);
    return (result instanceof Promise ? result.catch((error) => Promise.reject(reworded(error))) : result) as T;
  } catch (error) {
    throw reworded(error);
  }
}

/**
 * Errors met while reading and preparing an --input file, reworded for the command line: the
 * reader speaks of data/manifest.json and of the entry's name, which here are the flags.
 */
export function commandLineError(error: WorkbenchError, kind: DatasetEntry["kind"], input: InputFile): WorkbenchError {
  // The reader names the file relative to the project; the user named it as typed.
  const file = relative(projectRoot(), input.path) || input.path;
  const shown = input.typed;
  const columnFlags = kind === "transactions" ? "--customer/--date/--amount/--quantity/--price/--invoice" : "--id/--features/--categorical/--label";
  const text = (error.message.startsWith(`${file}: `) || error.message.startsWith(`${file}, `) ? shown + error.message.slice(file.length) : error.message)
    .replace("a column named in data/manifest.json", `a column named on the command line (${columnFlags})`)
    .replace(/Fix the column name under "columns" of dataset "[^"]*", or/, "Fix the column name on the command line, or")
    .replace('set "dateFormat" in data/manifest.json', "set --date-format")
    .replace(/Set "encoding": "([^"]+)" in its manifest entry \(--encoding [^)]*\)/, "Give --encoding $1")
    .replace(/Set "encoding": "([^"]+)" \(or "([^"]+)"\) in its manifest entry \(--encoding on the command line\)/, "Give --encoding $1 (or $2)")
    .replace(/declare its encoding: "encoding": "([^"]+)" \(or "([^"]+)"\) in its manifest entry, --encoding on the command line/, "give --encoding $1 (or $2)")
    .replace(/or set "header": false in data\/manifest\.json if the file has none/, "or give --no-header if the file has none")
    .replace(/Name it in data\/manifest\.json: "[^"]*": \{"role": "outcome", "positive": ("[^"]*")\}/, "Name it with --positive, e.g. --positive $1")
    .replace(/Fix "positive" of "[^"]*" in data\/manifest\.json/, "Fix --positive")
    .replace('use "transform": "log1p"', "use --transform log1p")
    .replace(/Put the file there, or fix "file" of dataset "[^"]*" in data\/manifest\.json/, "Check the --input path")
    .replace("the column roles and the date format in the manifest", "--customer, --date and --date-format")
    .replace(/ of dataset "[^"]*"/g, "")
    .replace(/(in )?data\/manifest\.json/g, "on the command line");
  return text === error.message ? error : new WorkbenchError(text);
}

function formatFromExtension(path: string): TextFormat {
  const ext = extname(path).toLowerCase();
  return ext === ".tsv" ? "tsv" : ext === ".txt" ? "whitespace" : "csv";
}

function headerOf(path: string, format: TextFormat, shown: string, v: InputFlags): string[] {
  const chunks = textChunks(path, shown, { encoding: v.encoding as Encoding | undefined, hint: "Check the --input path" });
  let header: string[] = [];
  const stop = {};
  try {
    parseRecords(chunks, format, shown, (fields) => {
      header = v["no-header"] ? fields.map((_, i) => String(i + 1)) : fields.map((f) => f.trim());
      throw stop;
    });
  } catch (error) {
    if (error !== stop) throw error;
  }
  return header;
}
