import type { AlgorithmName } from "../cluster/types.ts";
import { WorkbenchError } from "../errors.ts";
import { ALGORITHMS } from "../experiment/grid.ts";
import { parseSnapshot } from "../features/rfm.ts";
import { parseManifest } from "../manifest/load.ts";
import type { AlgorithmGrid, DatasetEntry, ExperimentOptions } from "../manifest/types.ts";
import { integerFlag, parseFlags, type CommandIO } from "./command.ts";
import { given, INPUT_OPTIONS, INPUT_USAGE, inputEntry, type InputFile } from "./inputArgs.ts";

export const SEGMENT_USAGE = `Usage: npm run --silent segment -- (--dataset NAME | --input FILE [column options]) [options]

${INPUT_USAGE}
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
  k: { type: "string" },
  linkage: { type: "string" },
  eps: { type: "string" },
  "min-points": { type: "string" },
  "n-init": { type: "string" },
  "max-iter": { type: "string" },
  seed: { type: "string" }
} as const;

type Flags = Partial<Record<Exclude<keyof typeof OPTIONS, "help">, string>>;

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

  const algorithmFlags = given(v, Object.keys(APPLIES_TO));
  if (v.algorithm === undefined) {
    if (algorithmFlags.length) {
      throw new WorkbenchError(`--${algorithmFlags[0]} needs --algorithm`, {
        hint: `Name the algorithm it is for, e.g. --algorithm ${APPLIES_TO[algorithmFlags[0]][0]} --${algorithmFlags[0]} ${v[algorithmFlags[0] as keyof Flags]}`
      });
    }
    return { help: false, entry, input };
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
  if (v["min-points"] !== undefined) own.minPoints = integerFlag(v["min-points"], "--min-points", 1);
  if (v["n-init"] !== undefined) own.nInit = integerFlag(v["n-init"], "--n-init", 1);
  if (v["max-iter"] !== undefined) own.maxIter = integerFlag(v["max-iter"], "--max-iter", 1);
  const narrowed: ExperimentOptions = { ...experiment, algorithms: [algorithm], grid: { ...grid, [algorithm]: own } as AlgorithmGrid };
  if (experiment.recommend) {
    const { algorithm: _pinnedAlgorithm, k: _pinnedK, ...rule } = experiment.recommend;
    narrowed.recommend = rule;
  }
  return narrowed;
}

/** The entry as a manifest would hold it, to re-validate a part of it (the file is not read). */
function manifestShape(e: DatasetEntry) {
  return { title: e.title, kind: e.kind, file: "data.csv", format: e.format, columns: e.columns, otherColumns: e.otherColumns ?? "ignore", dateFormat: e.dateFormat };
}

