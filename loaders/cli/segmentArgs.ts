import { WorkbenchError } from "../errors.ts";
import { ALGORITHM_NAMES, ALGORITHMS, algorithmSpec, type ParamSpec } from "../registry/algorithms.ts";
import { parseSnapshot } from "../features/rfm.ts";
import { parseManifest } from "../manifest/load.ts";
import type { AlgorithmGrid, DatasetEntry, ExperimentOptions } from "../manifest/types.ts";
import { integerFlag, parseFlags, type CommandIO } from "./command.ts";
import { given, INPUT_OPTIONS, INPUT_USAGE, inputEntry, type InputFile } from "./inputArgs.ts";

/** Each algorithm flag of the registry, with the parameter it sets in each algorithm that has it. */
const APPLIES_TO = new Map<string, Array<{ algorithm: string; param: ParamSpec }>>();
for (const a of ALGORITHMS) {
  for (const param of a.params) if (param.flag) APPLIES_TO.set(param.flag, [...(APPLIES_TO.get(param.flag) ?? []), { algorithm: a.name, param }]);
}

/** The --help lines of the algorithm flags: flag, what it takes, and the algorithms it is for. */
function algorithmFlagUsage(): string {
  return [...APPLIES_TO]
    .map(([flag, uses]) => `  ${`--${flag} ${uses[0].param.help}`.padEnd(40)}  ${andList(uses.map((u) => u.algorithm))}`)
    .join("\n");
}

/** "a", "a and b", "a, b and c". */
function andList(items: string[]): string {
  return items.join(", ").replace(/, ([^,]*)$/, " and $1");
}

export const SEGMENT_USAGE = `Usage: npm run --silent segment -- (--dataset NAME | --input FILE [column options]) [options]

${INPUT_USAGE}
Preparation (with --dataset: override the manifest entry's settings)
  --missing median|drop     default median
  --outliers keep|cap|drop  default keep (flagged and counted, values unchanged)
  --transform none|log1p|skewed   default none (skewed: log1p of columns with skewness > 1)
  --scale zscore|minmax|robust|none   default zscore
  --snapshot YYYY-MM-DD     transaction logs: first day not observed (default: day after the last)

Algorithm (without --algorithm: the whole grid, as on the site)
  --algorithm ${ALGORITHM_NAMES.join("|")}   that algorithm's part of the grid, narrowed by:
${algorithmFlagUsage()}
  --seed S                  any whole number, default 42 (or the manifest's); a run's seed follows from S and its id

Output: one JSON document on stdout: {dataset, n, features, rows, ids, notes, recommended, runs: [{id,
algorithm, params, labels, metrics, notes, seconds}]}; labels[i] belongs to data row rows[i] (for a
transaction log, customer rows[i] in order of first appearance, id ids[i]). Progress and notes (rows
dropped, roles inferred, ...) go to stderr; the notes are also in the JSON.
`;

const OPTIONS = {
  help: { type: "boolean" },
  ...INPUT_OPTIONS,
  snapshot: { type: "string" },
  missing: { type: "string" },
  outliers: { type: "string" },
  transform: { type: "string" },
  scale: { type: "string" },
  algorithm: { type: "string" },
  ...Object.fromEntries([...APPLIES_TO.keys()].map((flag) => [flag, { type: "string" as const }])),
  seed: { type: "string" }
} as const;

type Flags = Partial<Record<string, string>>;

export interface SegmentArgs {
  help: boolean;
  /**
   * The dataset entry to run: the manifest's (--dataset) or one built from the flags (--input),
   * with the preparation flags applied and, with --algorithm, its experiment narrowed to that
   * algorithm's grid, so the runs carry the site's run ids and seeds.
   */
  entry: DatasetEntry;
  /** --input: the file to read instead of data/<entry.file>. */
  input?: InputFile;
  /** --k, checked against the number of customers once the data is prepared. */
  k?: number;
}

export function parseSegmentArgs(argv: string[], io: CommandIO): SegmentArgs {
  const values = parseFlags(argv, OPTIONS);
  if (values.help) return { help: true, entry: undefined as never };
  const v = values as Flags;
  const { entry, input } = inputEntry(values, io, ["snapshot"]);

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
  if (v.seed !== undefined) entry.experiment.seed = integerFlag(v.seed, "--seed");

  const algorithmFlags = given(v, [...APPLIES_TO.keys()]);
  if (v.algorithm === undefined) {
    if (algorithmFlags.length) {
      throw new WorkbenchError(`--${algorithmFlags[0]} needs --algorithm`, {
        hint: `Name the algorithm it is for, e.g. --algorithm ${APPLIES_TO.get(algorithmFlags[0])![0].algorithm} --${algorithmFlags[0]} ${v[algorithmFlags[0]]}`
      });
    }
    return { help: false, entry, input };
  }
  const algorithm = v.algorithm;
  if (!ALGORITHM_NAMES.includes(algorithm)) {
    throw new WorkbenchError("--algorithm: unknown algorithm", { found: v.algorithm, expected: ALGORITHM_NAMES.join(", ") });
  }
  for (const flag of algorithmFlags) {
    const uses = APPLIES_TO.get(flag)!;
    if (!uses.some((u) => u.algorithm === algorithm)) {
      throw new WorkbenchError(`--${flag} does not apply to --algorithm ${algorithm}`, { hint: `It is for ${andList(uses.map((u) => u.algorithm))}` });
    }
  }
  const k = v.k === undefined ? undefined : integerFlag(v.k, "--k", 1);
  entry.experiment = narrowExperiment(entry.experiment, algorithm, v, k);
  return { help: false, entry, input, k };
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
function narrowExperiment(experiment: ExperimentOptions, algorithm: string, v: Flags, k: number | undefined): ExperimentOptions {
  const grid = experiment.grid ?? {};
  const own: NonNullable<AlgorithmGrid[string]> = { ...(grid[algorithm] ?? {}) };
  for (const param of algorithmSpec(algorithm).params) {
    const text = param.flag === undefined ? undefined : v[param.flag];
    if (text === undefined) continue;
    const value = param.name === "k" ? k! : flagValue(text, `--${param.flag}`, param);
    own[param.name] = param.axis ? [value] : value;
  }
  const narrowed: ExperimentOptions = { ...experiment, algorithms: [algorithm], grid: { ...grid, [algorithm]: own } as AlgorithmGrid };
  if (experiment.recommend) {
    const { algorithm: _pinnedAlgorithm, k: _pinnedK, ...rule } = experiment.recommend;
    narrowed.recommend = rule;
  }
  return narrowed;
}

/** A flag's text as the parameter's type: a whole number, a number in range, or one of its values. */
function flagValue(text: string, flag: string, param: ParamSpec): number | string {
  const type = param.type;
  switch (type.kind) {
    case "integer":
      return integerFlag(text, flag, type.min);
    case "number": {
      const x = Number(text);
      if (!Number.isFinite(x) || (type.above ? x <= type.min : x < type.min)) throw new WorkbenchError(`${flag} must be a number ${type.above ? ">" : "≥"} ${type.min}`, { found: text });
      return x;
    }
    case "choice":
      if (!type.values.includes(text)) throw new WorkbenchError(`${flag}: unknown ${param.name}`, { found: text, expected: type.values.join(", ") });
      return text;
  }
}

/** The entry as a manifest would hold it, to re-validate a part of it (the file is not read). */
/** The entry as a manifest would hold it, to check the preparation flags with the manifest's own rules (as a text file: its source is not what is checked). */
function manifestShape(e: DatasetEntry) {
  return { title: e.title, kind: e.kind, file: "data.csv", format: "csv", columns: e.columns, otherColumns: e.otherColumns ?? "ignore", dateFormat: e.dateFormat };
}

