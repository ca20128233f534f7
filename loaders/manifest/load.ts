import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, relative } from "node:path";
import { WorkbenchError } from "../errors.ts";
import { manifestPath, projectRoot } from "../paths.ts";
import { DEFAULT_DATE_FORMAT, DEFAULT_EXPERIMENT, DEFAULT_PREPARE, DEFAULT_REFRESH, DEFAULT_SEGMENT_TYPES, DEFAULT_VALUE } from "./defaults.ts";
import { ENCODINGS } from "../io/text.ts";
import {
  COLUMN_ROLES,
  TAG_ROLES,
  type CancellationRule,
  type ColumnRole,
  type ColumnTag,
  type DatasetEntry,
  type ExperimentAlgorithm,
  type ExperimentOptions,
  type Manifest,
  type SegmentTypeOptions,
  type SnapshotOptions,
  CADENCES,
  type ValueOptions
} from "./types.ts";
import { dateParser } from "../io/values.ts";
import { ALGORITHM_NAMES, ALGORITHMS, type ParamType } from "../registry/algorithms.ts";
import { RANKING_METRICS } from "../registry/metrics.ts";

const ENTRY_KEYS = new Set([
  "title",
  "description",
  "source",
  "kind",
  "file",
  "format",
  "sql",
  "columns",
  "dateFormat",
  "missingValues",
  "header",
  "encoding",
  "otherColumns",
  "cancellations",
  "value",
  "segmentTypes",
  "snapshots",
  "refresh",
  "prepare",
  "experiment"
]);
const KINDS = ["customers", "transactions"];
const FORMATS = ["csv", "tsv", "whitespace", "parquet"];
/** Settings of a text file that a typed source (Parquet, SQL) has no use for. */
const TEXT_FILE_KEYS = ["dateFormat", "missingValues", "header", "encoding"];
const NAME = /^[a-z0-9][a-z0-9_-]*$/;
/** Dataset names become folder and file names of the cache and the site: keep them well short of file-system limits. */
const MAX_NAME = 64;

const PREPARE_CHOICES: Record<string, readonly string[]> = {
  missing: ["median", "drop"],
  outlierRule: ["iqr", "zscore"],
  outliers: ["keep", "cap", "drop"],
  transform: ["none", "log1p", "skewed"],
  scale: ["zscore", "minmax", "robust", "none"]
};

/** Reads and validates data/manifest.json (or `path`), filling defaults. */
export function loadManifest(path = manifestPath()): Manifest {
  const shown = relative(projectRoot(), path) || path;
  if (!existsSync(path)) {
    throw new WorkbenchError("the dataset manifest is missing", {
      file: shown,
      hint: "Create it as described in the README (section “Add a dataset”)"
    });
  }
  let raw: unknown;
  const text = readFileSync(path, "utf8");
  try {
    raw = JSON.parse(text);
  } catch (error) {
    // V8 says where by character position; people count lines.
    const message = (error as Error).message;
    const at = /at position (\d+)/.exec(message);
    const before = at ? text.slice(0, Number(at[1])) : "";
    const line = at ? before.split("\n").length : undefined;
    const where = at ? ` at character ${Number(at[1]) - before.lastIndexOf("\n")}` : "";
    throw new WorkbenchError(`is not valid JSON: ${message.replace(/ in JSON at position \d+.*$/, "")}${where}`, {
      file: shown,
      line,
      hint: "Fix the JSON syntax there (a missing or extra comma or quote is the usual cause)"
    });
  }
  return parseManifest(raw, shown);
}

/** Validates a parsed manifest; `file` is used in messages. */
export function parseManifest(raw: unknown, file: string): Manifest {
  if (!isObject(raw) || !isObject(raw.datasets)) {
    throw new WorkbenchError('must be an object with a "datasets" object', {
      file,
      hint: 'Write {"datasets": {"name": {...entry...}}}'
    });
  }
  const datasets = Object.entries(raw.datasets).map(([name, value]) => parseEntry(name, value, file));
  if (datasets.length === 0) {
    throw new WorkbenchError("lists no datasets", { file, hint: "Add at least one entry under \"datasets\"" });
  }
  return { datasets };
}

function parseEntry(name: string, raw: unknown, file: string): DatasetEntry {
  const at = (field: string) => ({ file, field: `datasets.${name}.${field}` });
  if (!NAME.test(name) || name.length > MAX_NAME) {
    throw new WorkbenchError("dataset name is not usable in a URL", {
      file,
      field: `datasets.${name.slice(0, 40)}${name.length > 40 ? "…" : ""}`,
      found: name,
      expected: `lower-case letters, digits, - and _, at most ${MAX_NAME} characters (e.g. wholesale)`
    });
  }
  if (!isObject(raw)) throw new WorkbenchError("must be an object", at(""));
  for (const key of Object.keys(raw)) {
    if (!ENTRY_KEYS.has(key)) {
      throw new WorkbenchError("unknown field", {
        ...at(key),
        expected: `one of ${[...ENTRY_KEYS].join(", ")}`
      });
    }
  }
  const text = (field: string, required: boolean): string | undefined => {
    const v = raw[field];
    if (v === undefined && !required) return undefined;
    if (typeof v !== "string" || v.trim() === "") {
      throw new WorkbenchError("is missing or not a text", { ...at(field), expected: "a non-empty string" });
    }
    return v;
  };
  const choice = <T extends string>(field: string, allowed: readonly string[]): T => {
    const v = text(field, true)!;
    if (!allowed.includes(v)) {
      throw new WorkbenchError(`unknown ${field}`, { ...at(field), found: v, expected: `one of ${allowed.join(", ")}` });
    }
    return v as T;
  };
  const kind = choice<DatasetEntry["kind"]>("kind", KINDS);
  const sql = raw.sql === undefined ? undefined : parseSql(raw.sql, at("sql"), raw);
  const format = sql ? "sql" : choice<Exclude<DatasetEntry["format"], "sql">>("format", FORMATS);
  const dataFile = sql ? "" : text("file", true)!;
  if (!sql) checkDataFile(dataFile, at("file"));
  if (format === "sql" || format === "parquet") {
    const textKey = TEXT_FILE_KEYS.find((key) => raw[key] !== undefined);
    if (textKey) throw new WorkbenchError(`applies to text files only: a ${format === "sql" ? "database's" : "Parquet file's"} columns are typed`, { ...at(textKey), hint: `Remove "${textKey}"` });
    if (raw.columns === undefined || raw.otherColumns === "infer") {
      throw new WorkbenchError(`a ${format === "sql" ? "SQL source" : "Parquet file"} reads only the columns the manifest names`, {
        ...at("columns"),
        hint: 'Name each column you use and its role under "columns", e.g. {"customer_id": "id", "ordered_on": "date", "paid": "amount"}'
      });
    }
  }
  const otherColumns = raw.otherColumns === undefined ? (raw.columns === undefined ? "infer" : "ignore") : oneOf(["ignore", "infer"] as const)(raw.otherColumns, at("otherColumns"));
  if (otherColumns === "infer" && kind === "transactions") {
    throw new WorkbenchError("roles are inferred for customer tables only", {
      ...at(raw.columns === undefined ? "columns" : "otherColumns"),
      hint: 'Name the columns of a transaction log: "columns": {"customer": "id", "day": "date", "paid": "amount"}'
    });
  }
  const noColumns = raw.columns === undefined || (isObject(raw.columns) && Object.keys(raw.columns).length === 0);
  const { columns, outcome, tags, display } = noColumns && otherColumns === "infer" ? { columns: {}, tags: {}, display: {} } : parseColumns(raw.columns, at("columns"));
  if (kind === "transactions" && Object.keys(tags).length) {
    const [column, tag] = Object.entries(tags)[0];
    throw new WorkbenchError(`"${tag}" describes a column of a customer table`, {
      ...at("columns"),
      field: `${at("columns").field}.${column}`,
      hint: "A transaction log's spend, recency and tenure come from its purchases; give the column a transaction role (id, date, amount, quantity, price, invoice)"
    });
  }
  // With inferred roles, the checks that need every role wait until the file's header is read.
  if (otherColumns === "ignore") checkRoles(kind, columns, at("columns"));
  else checkRoleCounts(columns, at("columns"));
  const dateFormat = text("dateFormat", false) ?? DEFAULT_DATE_FORMAT;
  if (Object.values(columns).includes("date")) {
    try {
      dateParser(dateFormat);
    } catch (error) {
      throw new WorkbenchError((error as WorkbenchError).message, at("dateFormat"));
    }
  }
  const encoding = raw.encoding === undefined ? undefined : oneOf(ENCODINGS)(raw.encoding, at("encoding"));
  const missingValues = raw.missingValues ?? [""];
  if (!Array.isArray(missingValues) || !missingValues.every((v) => typeof v === "string")) {
    throw new WorkbenchError("must be a list of texts", { ...at("missingValues"), expected: 'e.g. ["", "NA"]' });
  }
  if (raw.header !== undefined && typeof raw.header !== "boolean") {
    throw new WorkbenchError("must be true or false", at("header"));
  }
  return {
    name,
    title: text("title", true)!,
    description: text("description", false) ?? "",
    source: text("source", false),
    kind,
    file: dataFile,
    format,
    ...(sql ? { sql } : {}),
    columns,
    dateFormat,
    missingValues,
    header: raw.header ?? true,
    ...(encoding ? { encoding } : {}),
    otherColumns,
    ...(raw.cancellations !== undefined ? { cancellations: parseCancellations(raw.cancellations, at("cancellations"), kind, columns) } : {}),
    ...(outcome ? { outcome } : {}),
    ...(Object.keys(tags).length ? { tags } : {}),
    ...(Object.keys(display).length ? { display } : {}),
    segmentTypes: raw.segmentTypes === undefined ? { ...DEFAULT_SEGMENT_TYPES } : { ...DEFAULT_SEGMENT_TYPES, ...SEGMENT_TYPES(raw.segmentTypes, at("segmentTypes")) },
    ...(raw.value !== undefined ? { value: parseValue(raw.value, at("value"), kind) } : kind === "transactions" ? { value: { ...DEFAULT_VALUE } } : {}),
    ...(raw.snapshots !== undefined ? { snapshots: parseSnapshots(raw.snapshots, at("snapshots"), kind, dataFile, format) } : {}),
    refresh: raw.refresh === undefined ? DEFAULT_REFRESH : oneOf(CADENCES)(raw.refresh, at("refresh")),
    prepare: parsePrepare(raw.prepare, at("prepare")),
    experiment: parseExperiment(raw.experiment, at("experiment"), kind)
  };
}

/**
 * Column name → role. A role is a text, or an object: {"role": "outcome", "positive": "Yes",
 * "churn": true} for an outcome; {"role": "numeric", "as": "offers"} for a tag on another role;
 * "display" in any object gives the words pages use for the column. A tag written as a role
 * ("spend") implies its usual role (TAG_ROLES).
 */
function parseColumns(
  raw: unknown,
  where: { file: string; field: string }
): { columns: Record<string, ColumnRole>; outcome?: DatasetEntry["outcome"]; tags: Record<string, ColumnTag>; display: Record<string, string> } {
  const roles: readonly string[] = [...COLUMN_ROLES, ...TAG_NAMES];
  if (!isObject(raw) || Object.keys(raw).length === 0) {
    throw new WorkbenchError("must map column names to roles", {
      ...where,
      expected: `e.g. {"Fresh": "numeric"}; roles: ${roles.join(", ")}`
    });
  }
  const columns: Record<string, ColumnRole> = {};
  const tags: Record<string, ColumnTag> = {};
  const display: Record<string, string> = {};
  let outcome: DatasetEntry["outcome"];
  for (const [column, spec] of Object.entries(raw)) {
    const here = { file: where.file, field: `${where.field}.${column}` };
    const parsed: ReturnType<typeof COLUMN_SPEC> = isObject(spec) ? COLUMN_SPEC(spec, here) : { role: spec };
    if (parsed.role === undefined) throw new WorkbenchError('names no "role"', { ...here, expected: '{"role": "outcome", "positive": "Yes"}' });
    const role: unknown = parsed.role;
    if (typeof role !== "string" || !roles.includes(role)) {
      throw new WorkbenchError("unknown column role", { ...here, found: typeof role === "string" ? role : JSON.stringify(role), expected: `one of ${roles.join(", ")}` });
    }
    const tag = (TAG_NAMES as readonly string[]).includes(role) ? (role as ColumnTag) : parsed.as;
    const base = (TAG_NAMES as readonly string[]).includes(role) ? TAG_ROLES[role as ColumnTag] : (role as ColumnRole);
    if (tag !== undefined) {
      if (parsed.as !== undefined && parsed.as !== tag) throw new WorkbenchError(`"as" repeats the role with another tag`, { ...here, found: parsed.as, expected: tag });
      const fits = TAG_ROLES[tag] === "date" ? base === "date" : base === "numeric" || base === "profile";
      if (!fits) {
        const expected = TAG_ROLES[tag] === "date" ? "date" : "numeric or profile";
        throw new WorkbenchError(`"${tag}" tags a ${expected} column`, { ...here, found: `the role ${base}`, expected: `the role ${expected}` });
      }
      tags[column] = tag;
    }
    if ((parsed.positive !== undefined || parsed.churn !== undefined) && base !== "outcome") {
      throw new WorkbenchError('"positive" and "churn" describe an outcome column', { ...here, found: `the role ${base}`, hint: 'Write {"role": "outcome", "positive": "Yes"}' });
    }
    if (base === "outcome") {
      outcome = { column, ...(parsed.positive !== undefined ? { positive: parsed.positive } : {}), churn: parsed.churn ?? CHURN_NAME.test(column) };
    }
    if (parsed.display !== undefined) display[column] = parsed.display;
    columns[column] = base;
  }
  return { columns, outcome, tags, display };
}

const TAG_NAMES = Object.keys(TAG_ROLES) as ColumnTag[];
/** Outcome columns whose name says the customer left. */
const CHURN_NAME = /churn|attrition|attrited|cancel|defect/i;
/** The "value" section of a transaction log: the shape, then dates that must be in order. */
function parseValue(raw: unknown, where: Where, kind: string): ValueOptions {
  if (kind !== "transactions") {
    throw new WorkbenchError("value models apply to transaction logs only", {
      ...where,
      hint: 'For a customer table, predict an outcome instead: give its column the role "outcome"'
    });
  }
  const parsed = VALUE(raw, where);
  const value: ValueOptions = { ...DEFAULT_VALUE, ...parsed };
  if (value.holdoutEnd !== undefined && value.calibrationEnd === undefined) {
    throw new WorkbenchError("a holdout end needs a calibration end", { ...at(where, "holdoutEnd"), hint: 'Add "calibrationEnd": the last day the models learn from' });
  }
  if (value.holdoutEnd !== undefined && value.holdoutEnd <= value.calibrationEnd!) {
    throw new WorkbenchError("the holdout must end after the calibration period", { ...at(where, "holdoutEnd"), found: value.holdoutEnd, expected: `a date after ${value.calibrationEnd}` });
  }
  return value;
}

/** At most one id and one label column, whatever the kind. */
function checkRoleCounts(columns: Record<string, ColumnRole>, where: { file: string; field: string }): void {
  const count = (role: ColumnRole) => Object.values(columns).filter((r) => r === role).length;
  if (count("id") > 1) throw new WorkbenchError("a dataset has at most one customer id column", { ...where, found: `${count("id")} column(s) with role "id"`, expected: "at most 1" });
  if (count("label") > 1) throw new WorkbenchError("a dataset has at most one gold-standard label column", { ...where, found: `${count("label")} column(s) with role "label"`, expected: "at most 1" });
  if (count("outcome") > 1) throw new WorkbenchError("a dataset has at most one outcome column", { ...where, found: `${count("outcome")} column(s) with role "outcome"`, expected: "at most 1" });
}

/**
 * The roles a dataset of this kind needs. Exported for the reader, which checks datasets whose
 * roles were inferred once it has read the header.
 */
export function checkRoles(kind: string, columns: Record<string, ColumnRole>, where: { file: string; column?: string }): void {
  const count = (role: ColumnRole) => Object.values(columns).filter((r) => r === role).length;
  const need = (role: ColumnRole, min: number, max: number, why: string) => {
    const c = count(role);
    if (c < min || c > max) {
      throw new WorkbenchError(`${why}`, {
        ...where,
        found: `${c} column(s) with role "${role}"`,
        expected: min === max ? `exactly ${min}` : `${min} to ${max}`
      });
    }
  };
  need("id", 0, 1, "a dataset has at most one customer id column");
  need("label", 0, 1, "a dataset has at most one gold-standard label column");
  need("outcome", 0, 1, "a dataset has at most one outcome column");
  if (kind === "transactions") {
    need("outcome", 0, 0, "an outcome column belongs to a customer table (a transaction log's churn risk is 1 − P(alive))");
    need("id", 1, 1, "a transaction log needs the customer id column");
    need("date", 1, 1, "a transaction log needs one date column");
    need("quantity", 0, 1, "a transaction log has at most one quantity column");
    need("price", 0, 1, "a transaction log has at most one price column");
    need("invoice", 0, 1, "a transaction log has at most one invoice column");
    if (count("amount") === 0 && count("price") === 1 && count("quantity") === 1) return;
    if (count("price") === 1 && count("amount") === 1) {
      throw new WorkbenchError('a transaction log has either an amount column or a price column (amount = quantity × price), not both', {
        ...where,
        hint: 'Give the price column the role "ignore", or remove the amount role'
      });
    }
    need("amount", 1, 1, 'a transaction log needs one amount column (or a "price" and a "quantity" column, amount = quantity × price)');
  } else if (count("numeric") + count("categorical") + count("date") === 0) {
    throw new WorkbenchError("a customer table needs at least one feature", {
      ...where,
      expected: 'one or more columns with role "numeric" or "categorical"'
    });
  }
}

/** A manifest "file" names a file inside data/: relative, without "..". Symbolic links are checked when it is read. */
function checkDataFile(file: string, where: { file: string; field: string }): void {
  if (isAbsolute(file) || /^[a-zA-Z]:[\\/]/.test(file) || file.split(/[\\/]/).includes("..")) {
    throw new WorkbenchError("the data file must be inside the data/ folder", {
      ...where,
      found: file,
      hint: 'Copy the file into data/ and give its name relative to data/, e.g. "sales.csv"'
    });
  }
}

/** {"env": "SHOP_DATABASE_URL", "table": "sales.orders"} or {"env": …, "query": "SELECT …"}. */
function parseSql(raw: unknown, where: Where, entry: Record<string, unknown>): NonNullable<DatasetEntry["sql"]> {
  for (const key of ["file", "format"]) {
    if (entry[key] !== undefined) throw new WorkbenchError('a dataset reads either a file or "sql", not both', { ...where, hint: `Remove "${key}" or "sql"` });
  }
  const spec = fields({ env: nonEmptyText, table: nonEmptyText, query: nonEmptyText, dialect: oneOf(["postgres", "redshift"] as const), segmentsTable: nonEmptyText })(raw, where);
  if (spec.env === undefined || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(spec.env)) {
    throw new WorkbenchError('needs "env", the name of the environment variable holding the connection string', {
      ...at(where, "env"),
      found: spec.env,
      hint: 'e.g. "env": "SHOP_DATABASE_URL", then export SHOP_DATABASE_URL=postgresql://user@host:5432/shop; the manifest holds no secret'
    });
  }
  if ((spec.table === undefined) === (spec.query === undefined)) {
    throw new WorkbenchError('needs a "table" or a "query" (one of them)', { ...where, expected: '"table": "sales.orders" or "query": "SELECT customer, day, paid FROM orders"' });
  }
  return { env: spec.env, ...(spec.table ? { table: spec.table } : { query: spec.query }), dialect: spec.dialect ?? "postgres", segmentsTable: spec.segmentsTable ?? "customer_segments" };
}

function parseCancellations(raw: unknown, where: Where, kind: string, columns: Record<string, ColumnRole>): CancellationRule {
  if (kind !== "transactions") throw new WorkbenchError("a cancellation rule applies to transaction logs only", where);
  const rule = fields({ invoicePrefix: nonEmptyText, negativeQuantity: boolean })(raw, where);
  if (rule.invoicePrefix === undefined && !rule.negativeQuantity) {
    throw new WorkbenchError("names no rule", { ...where, expected: '{"invoicePrefix": "C"} and/or {"negativeQuantity": true}' });
  }
  const roles = Object.values(columns);
  if (rule.invoicePrefix !== undefined && !roles.includes("invoice")) {
    throw new WorkbenchError("an invoice prefix needs the invoice column", { ...at(where, "invoicePrefix"), hint: 'Give the invoice number column the role "invoice" under "columns"' });
  }
  if (rule.negativeQuantity && !roles.includes("quantity")) {
    throw new WorkbenchError("negative quantities need the quantity column", { ...at(where, "negativeQuantity"), hint: 'Give the quantity column the role "quantity" under "columns"' });
  }
  return rule;
}

function parsePrepare(raw: unknown, where: { file: string; field: string }): DatasetEntry["prepare"] {
  if (raw === undefined) return { ...DEFAULT_PREPARE };
  if (!isObject(raw)) throw new WorkbenchError("must be an object", where);
  const out: Record<string, unknown> = { ...DEFAULT_PREPARE };
  for (const [key, value] of Object.entries(raw)) {
    const column = `${where.field}.${key}`;
    if (key === "outlierThreshold") {
      if (typeof value !== "number" || !(value > 0)) {
        throw new WorkbenchError("must be a number > 0", { file: where.file, column, found: String(value) });
      }
    } else if (!(key in PREPARE_CHOICES)) {
      throw new WorkbenchError("unknown field", {
        file: where.file,
        column,
        expected: `one of ${[...Object.keys(PREPARE_CHOICES), "outlierThreshold"].join(", ")}`
      });
    } else if (!PREPARE_CHOICES[key].includes(value as string)) {
      throw new WorkbenchError("unknown value", {
        file: where.file,
        column,
        found: String(value),
        expected: `one of ${PREPARE_CHOICES[key].join(", ")}`
      });
    }
    out[key] = value;
  }
  return out as unknown as DatasetEntry["prepare"];
}

type Where = { file: string; field: string };

/** Validates one value of the manifest at `where` and returns it typed (throws WorkbenchError). */
type Spec<T> = (value: unknown, where: Where) => T;

const at = (where: Where, key: string | number): Where => ({
  file: where.file,
  field: typeof key === "number" ? `${where.field}[${key}]` : `${where.field}.${key}`
});

/** The value as the user wrote it: texts bare, the rest as JSON. */
const shown = (v: unknown): string => (typeof v === "string" ? v : JSON.stringify(v));

/** A whole number ≥ min. A number written as text ("4") is named as such, as it reads like a number. */
function integer(min: number): Spec<number> {
  const range = min > Number.MIN_SAFE_INTEGER ? ` ≥ ${min}` : "";
  return (v, where) => {
    if (typeof v === "number" && Number.isSafeInteger(v) && v >= min) return v;
    throw new WorkbenchError(`must be a whole number${range}`, { ...where, found: shown(v), hint: quotedNumberHint(v) });
  };
}

/** A finite number in [min, max]; `above` makes the lower bound exclusive. */
function number(min: number, { max = Infinity, above = false } = {}): Spec<number> {
  const range = max < Infinity ? `from ${min} to ${max}` : `${above ? ">" : "≥"} ${min}`;
  return (v, where) => {
    if (typeof v === "number" && Number.isFinite(v) && (above ? v > min : v >= min) && v <= max) return v;
    throw new WorkbenchError(`must be a number ${range}`, { ...where, found: shown(v), hint: quotedNumberHint(v) });
  };
}

function quotedNumberHint(v: unknown): string | undefined {
  return typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v)) ? `Write the number without quotes: ${Number(v)}` : undefined;
}

function oneOf<T extends string>(choices: readonly T[]): Spec<T> {
  return (v, where) => {
    if (choices.includes(v as T)) return v as T;
    throw new WorkbenchError("unknown value", { ...where, found: shown(v), expected: `one of ${choices.join(", ")}` });
  };
}

const nonEmptyText: Spec<string> = (v, where) => {
  if (typeof v === "string" && v !== "") return v;
  throw new WorkbenchError("must be a non-empty text", { ...where, found: shown(v) });
};

const boolean: Spec<boolean> = (v, where) => {
  if (typeof v === "boolean") return v;
  throw new WorkbenchError("must be true or false", { ...where, found: shown(v) });
};

/** The check of a registry parameter type. */
function paramSpec(type: ParamType): Spec<number | string> {
  switch (type.kind) {
    case "integer":
      return integer(type.min);
    case "number":
      return number(type.min, { above: type.above });
    case "choice":
      return oneOf(type.values);
  }
}

/** A calendar date written YYYY-MM-DD. */
const isoDate: Spec<string> = (v, where) => {
  const m = typeof v === "string" ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(v) : null;
  if (m && new Date(Date.UTC(+m[1], +m[2] - 1, +m[3])).toISOString().slice(0, 10) === v) return v as string;
  if (m) throw new WorkbenchError("is not a day on the calendar", { ...where, found: shown(v), expected: "a real date, e.g. 1998-02-28" });
  throw new WorkbenchError("must be a date as YYYY-MM-DD", { ...where, found: shown(v), expected: "e.g. 1998-07-01" });
};

/**
 * A non-empty list of distinct values. A lone value is refused, not wrapped: the message shows
 * the list shape so the user learns it (a string would otherwise be iterated letter by letter).
 */
function list<T>(item: Spec<T>, example: string): Spec<T[]> {
  const expected = `a list, e.g. ${example}`;
  return (v, where) => {
    if (!Array.isArray(v)) {
      const single = [v, typeof v === "string" && v.trim() !== "" ? Number(v) : undefined].find((c) => {
        try {
          item(c, where);
          return true;
        } catch {
          return false;
        }
      });
      const hint = single !== undefined ? `For one value write ${JSON.stringify([single])}` : undefined;
      throw new WorkbenchError("must be a list", { ...where, found: shown(v), expected, hint });
    }
    if (v.length === 0) throw new WorkbenchError("must list at least one value", { ...where, found: "[]", expected });
    const out = v.map((x, i) => item(x, at(where, i)));
    out.forEach((x, i) => {
      if (out.indexOf(x) < i) throw new WorkbenchError("repeats an earlier value", { ...at(where, i), found: shown(x), expected: "each value once" });
    });
    return out;
  };
}

/** An object with only the given fields, each optional; the result keeps the fields present. */
function fields<F extends Record<string, Spec<unknown>>>(specs: F): Spec<{ [K in keyof F]?: ReturnType<F[K]> }> {
  const names = Object.keys(specs);
  return (v, where) => {
    if (!isObject(v)) throw new WorkbenchError("must be an object", { ...where, found: shown(v), expected: `{…} with fields among ${names.join(", ")}` });
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(v)) {
      if (!(key in specs)) {
        const near = names.find((n) => editDistance(n.toLowerCase(), key.toLowerCase()) <= 2);
        throw new WorkbenchError("unknown field", {
          ...at(where, key),
          expected: `one of ${names.join(", ")}`,
          hint: near ? `Did you mean "${near}"?` : undefined
        });
      }
      if (value !== undefined) out[key] = specs[key](value, at(where, key));
    }
    return out as { [K in keyof F]?: ReturnType<F[K]> };
  };
}

/** Levenshtein distance, for "did you mean" on misspelt field names. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length];
}

const COLUMN_SPEC = fields({
  role: (v: unknown) => v,
  as: oneOf(TAG_NAMES),
  display: nonEmptyText,
  positive: nonEmptyText,
  churn: (v: unknown, where: Where) => boolean(v, where)
});

const SEGMENT_TYPES = fields({
  highValueShare: number(0, { max: 1, above: true }),
  aliveBelow: number(0, { max: 1, above: true }),
  churnAtLeast: number(0, { max: 1, above: true }),
  churnIntervals: number(0, { above: true }),
  categoryShare: number(0, { max: 1, above: true }),
  discountPercentile: number(0, { max: 1 }),
  newDays: number(0, { above: true }),
  inactiveDays: number(0, { above: true })
}) as (v: unknown, where: Where) => Partial<SegmentTypeOptions>;

/** Fewest and most segments, [lo, hi] with 2 ≤ lo ≤ hi. */
const kRange: Spec<[number, number]> = (v, where) => {
  const whole = (x: unknown) => typeof x === "number" && Number.isSafeInteger(x) && x >= 2;
  if (Array.isArray(v) && v.length === 2 && whole(v[0]) && whole(v[1]) && v[0] <= v[1]) return [v[0], v[1]];
  throw new WorkbenchError("must be [fewest, most] segments, two whole numbers with 2 ≤ fewest ≤ most", { ...where, found: shown(v), expected: "e.g. [3, 8]" });
};
const EXPERIMENT = fields({
  seed: integer(Number.MIN_SAFE_INTEGER),
  algorithms: list(oneOf(ALGORITHM_NAMES), '["kmeans", "gmm"]'),
  // Each algorithm's parameters as the registry declares them: axes as lists, settings as values.
  grid: fields(
    Object.fromEntries(
      ALGORITHMS.map((a) => [a.name, fields(Object.fromEntries(a.params.map((p) => [p.name, p.axis ? list(paramSpec(p.type), p.example) : paramSpec(p.type)])))])
    )
  ),
  recommend: fields({
    metric: oneOf(RANKING_METRICS),
    kRange: kRange,
    minSegmentShare: number(0, { max: 0.5 }),
    minStability: number(0, { max: 1 }),
    algorithm: oneOf(ALGORITHM_NAMES),
    k: integer(1)
  }),
  snapshot: isoDate
});

const VALUE = fields({
  period: oneOf(["day", "week"] as const),
  calibrationEnd: isoDate,
  holdoutEnd: isoDate,
  horizon: integer(1),
  margin: number(0, { max: 1, above: true }),
  annualDiscountRate: number(0, { max: 10 })
});

/** Cadence snapshots kept by default: a year of quarters. */
export const DEFAULT_CADENCE_SNAPSHOTS = 4;

/**
 * "snapshots": a list of dates or a cadence for a transaction log; for a customer table a list of
 * {"date", "file"}, the dataset's own file among them as the latest.
 */
function parseSnapshots(raw: unknown, where: Where, kind: DatasetEntry["kind"], ownFile: string, format: DatasetEntry["format"]): SnapshotOptions {
  if (kind === "customers" && (format === "sql" || format === "parquet")) {
    throw new WorkbenchError("snapshots of a customer table are earlier files of the same text layout", {
      ...where,
      hint: format === "sql" ? "Keep dated copies as CSV files in data/, or segment a transaction log, whose snapshots are dates" : "Export the earlier snapshots as CSV files, or use a transaction log, whose snapshots are dates"
    });
  }
  if (kind === "transactions") {
    if (typeof raw === "string" || (isObject(raw) && !Array.isArray(raw))) {
      const spec = typeof raw === "string" ? { cadence: raw } : raw;
      const parsed = fields({ cadence: oneOf(CADENCES), last: integer(2) })(spec, where);
      if (parsed.cadence === undefined) throw new WorkbenchError("needs a cadence", { ...where, expected: '"quarterly", or {"cadence": "quarterly", "last": 4}' });
      return { kind: "cadence", cadence: parsed.cadence, last: parsed.last ?? DEFAULT_CADENCE_SNAPSHOTS };
    }
    const dates = list(isoDate, '["1998-01-01", "1998-07-01"]')(raw, where);
    return { kind: "dates", dates: atLeastTwoInOrder(dates, where) };
  }
  const files = list(fields({ date: isoDate, file: nonEmptyText }), '[{"date": "2024-01-01", "file": "customers-2024-01.csv"}, {"date": "2024-04-01", "file": "customers.csv"}]')(raw, where);
  files.forEach((f, i) => {
    if (f.date === undefined || f.file === undefined) throw new WorkbenchError('needs a "date" and a "file"', { ...at(where, i), found: shown(f) });
    checkDataFile(f.file, at(at(where, i), "file"));
  });
  const complete = files as Array<{ date: string; file: string }>;
  atLeastTwoInOrder(complete.map((f) => f.date), where);
  const sorted = [...complete].sort((a, b) => a.date.localeCompare(b.date));
  if (sorted[sorted.length - 1].file !== ownFile) {
    throw new WorkbenchError("the dataset's own file must be the latest snapshot", {
      ...where,
      found: `latest: ${sorted[sorted.length - 1].file} (${sorted[sorted.length - 1].date})`,
      hint: `List "${ownFile}" with the date it describes, after the earlier files`
    });
  }
  return { kind: "files", files: sorted };
}

/** At least two dates, none repeated; returned in date order. */
function atLeastTwoInOrder(dates: string[], where: Where): string[] {
  if (dates.length < 2) throw new WorkbenchError("needs at least two snapshots to compare", { ...where, found: shown(dates) });
  const sorted = [...dates].sort();
  const repeated = sorted.find((d, i) => i > 0 && sorted[i - 1] === d);
  if (repeated) throw new WorkbenchError("two snapshots have the same date", { ...where, found: repeated, hint: "Give each snapshot the date it describes" });
  return sorted;
}

/**
 * Validates "experiment": the shape above, then the settings that would be silently ignored or
 * could never be met together. k above the number of customers is checked when the grid is
 * planned (experiment/grid.ts), as n is not known here.
 */
function parseExperiment(raw: unknown, where: Where, kind: string): ExperimentOptions {
  if (raw === undefined) return { ...DEFAULT_EXPERIMENT };
  const parsed = EXPERIMENT(raw, where);
  const options: ExperimentOptions = { ...parsed, seed: parsed.seed ?? DEFAULT_EXPERIMENT.seed };
  const chosen = options.algorithms ?? ALGORITHMS.filter((a) => a.inDefaultGrid).map((a) => a.name);
  for (const algorithm of Object.keys(options.grid ?? {}) as ExperimentAlgorithm[]) {
    if (!chosen.includes(algorithm)) {
      throw new WorkbenchError("sets a grid for an algorithm that is not run", {
        ...at(at(where, "grid"), algorithm),
        expected: `one of experiment.algorithms (${chosen.join(", ")})`,
        hint: `Add ${algorithm} to experiment.algorithms or remove grid.${algorithm}`
      });
    }
  }
  const rec = options.recommend ?? {};
  if (rec.algorithm && !chosen.includes(rec.algorithm)) {
    throw new WorkbenchError("pins an algorithm that is not run", {
      ...at(at(where, "recommend"), "algorithm"),
      found: rec.algorithm,
      expected: `one of experiment.algorithms (${chosen.join(", ")})`
    });
  }
  // BIC is a likelihood criterion: only algorithms whose model has one (the Gaussian mixture).
  const withBic = ALGORITHMS.filter((a) => a.modelMetrics?.includes("bic"));
  const names = withBic.map((a) => a.name);
  const described = withBic.map((a) => `${a.label} (${a.name})`).join(", ");
  if (rec.metric === "bic" && (rec.algorithm ? !names.includes(rec.algorithm) : !chosen.some((c) => names.includes(c)))) {
    throw new WorkbenchError(
      rec.algorithm ? `bic scores ${described} runs only, not ${rec.algorithm} runs` : `bic scores ${described} runs only, and ${names.join(", ")} is not run`,
      { ...at(at(where, "recommend"), "metric"), found: "bic", expected: "silhouette, calinskiHarabasz or daviesBouldin" }
    );
  }
  if (options.snapshot !== undefined && kind !== "transactions") {
    throw new WorkbenchError("a snapshot date applies to transaction logs only", {
      ...at(where, "snapshot"),
      found: options.snapshot,
      hint: 'Remove it, or set "kind": "transactions" if the file is a transaction log'
    });
  }
  return options;
}

function isObject(v: unknown): v is Record<string, any> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The entry named `name`, or a WorkbenchError listing the names there are. */
export function findDataset(manifest: Manifest, name: string): DatasetEntry {
  const entry = manifest.datasets.find((d) => d.name === name);
  if (!entry) {
    throw new WorkbenchError("no such dataset in data/manifest.json", {
      found: name,
      expected: `one of ${manifest.datasets.map((d) => d.name).join(", ")}`
    });
  }
  return entry;
}
