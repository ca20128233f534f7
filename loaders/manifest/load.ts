import { existsSync, readFileSync } from "node:fs";
import { relative } from "node:path";
import { WorkbenchError } from "../errors.ts";
import { manifestPath, projectRoot } from "../paths.ts";
import { DEFAULT_DATE_FORMAT, DEFAULT_EXPERIMENT, DEFAULT_PREPARE } from "./defaults.ts";
import { COLUMN_ROLES, type ColumnRole, type DatasetEntry, type Manifest } from "./types.ts";
import { dateParser } from "../io/values.ts";

const ENTRY_KEYS = new Set([
  "title",
  "description",
  "source",
  "kind",
  "file",
  "format",
  "columns",
  "dateFormat",
  "missingValues",
  "header",
  "prepare",
  "experiment"
]);
const KINDS = ["customers", "transactions"];
const FORMATS = ["csv", "tsv", "whitespace"];
const NAME = /^[a-z0-9][a-z0-9_-]*$/;

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
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new WorkbenchError(`is not valid JSON (${(error as Error).message})`, {
      file: shown,
      hint: "Fix the JSON syntax"
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
  const at = (field: string) => ({ file, column: `datasets.${name}.${field}` });
  if (!NAME.test(name)) {
    throw new WorkbenchError("dataset name is not usable in a URL", {
      file,
      column: `datasets.${name}`,
      found: name,
      expected: "lower-case letters, digits, - and _ (e.g. wholesale)"
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
  const format = choice<DatasetEntry["format"]>("format", FORMATS);
  const columns = parseColumns(raw.columns, at("columns"));
  checkRoles(kind, columns, at("columns"));
  const dateFormat = text("dateFormat", false) ?? DEFAULT_DATE_FORMAT;
  if (Object.values(columns).includes("date")) {
    try {
      dateParser(dateFormat);
    } catch (error) {
      throw new WorkbenchError((error as WorkbenchError).message, at("dateFormat"));
    }
  }
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
    file: text("file", true)!,
    format,
    columns,
    dateFormat,
    missingValues,
    header: raw.header ?? true,
    prepare: parsePrepare(raw.prepare, at("prepare")),
    experiment: parseExperiment(raw.experiment, at("experiment"))
  };
}

function parseColumns(raw: unknown, where: { file: string; column: string }): Record<string, ColumnRole> {
  if (!isObject(raw) || Object.keys(raw).length === 0) {
    throw new WorkbenchError("must map column names to roles", {
      ...where,
      expected: `e.g. {"Fresh": "numeric"}; roles: ${COLUMN_ROLES.join(", ")}`
    });
  }
  const out: Record<string, ColumnRole> = {};
  for (const [column, role] of Object.entries(raw)) {
    if (typeof role !== "string" || !COLUMN_ROLES.includes(role as ColumnRole)) {
      throw new WorkbenchError("unknown column role", {
        file: where.file,
        column: `${where.column}.${column}`,
        found: String(role),
        expected: `one of ${COLUMN_ROLES.join(", ")}`
      });
    }
    out[column] = role as ColumnRole;
  }
  return out;
}

function checkRoles(kind: string, columns: Record<string, ColumnRole>, where: { file: string; column: string }): void {
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
  if (kind === "transactions") {
    need("id", 1, 1, "a transaction log needs the customer id column");
    need("date", 1, 1, "a transaction log needs one date column");
    need("amount", 1, 1, "a transaction log needs one amount column");
    need("quantity", 0, 1, "a transaction log has at most one quantity column");
  } else if (count("numeric") + count("categorical") === 0) {
    throw new WorkbenchError("a customer table needs at least one feature", {
      ...where,
      expected: 'one or more columns with role "numeric" or "categorical"'
    });
  }
}

function parsePrepare(raw: unknown, where: { file: string; column: string }): DatasetEntry["prepare"] {
  if (raw === undefined) return { ...DEFAULT_PREPARE };
  if (!isObject(raw)) throw new WorkbenchError("must be an object", where);
  const out: Record<string, unknown> = { ...DEFAULT_PREPARE };
  for (const [key, value] of Object.entries(raw)) {
    const column = `${where.column}.${key}`;
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

function parseExperiment(raw: unknown, where: { file: string; column: string }): DatasetEntry["experiment"] {
  if (raw === undefined) return { ...DEFAULT_EXPERIMENT };
  if (!isObject(raw)) throw new WorkbenchError("must be an object", where);
  const seed = raw.seed ?? DEFAULT_EXPERIMENT.seed;
  if (typeof seed !== "number" || !Number.isInteger(seed) || seed < 0) {
    throw new WorkbenchError("must be a whole number ≥ 0", { file: where.file, column: `${where.column}.seed`, found: String(seed) });
  }
  // The grid and recommendation rule are validated by the experiment runner, which owns them.
  return { ...(raw as object), seed } as DatasetEntry["experiment"];
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
