import { resolve } from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { WorkbenchError } from "../errors.ts";
import { parseSnapshot } from "../features/rfm.ts";

/**
 * Where a command writes and which folder the user called it from. `npm run` starts scripts in
 * the project root and records the caller's folder in INIT_CWD: relative paths the user typed
 * are resolved against that, never against the project.
 */
export interface CommandIO {
  out(text: string): void;
  err(text: string): void;
  cwd: string;
}

export function processIO(): CommandIO {
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    cwd: process.env.INIT_CWD ?? process.cwd()
  };
}

/** A path the user typed, as an absolute path from the folder they typed it in. */
export function userPath(io: CommandIO, path: string): string {
  return resolve(io.cwd, path);
}

type Options = NonNullable<ParseArgsConfig["options"]>;

/**
 * Parses flags strictly (an unknown flag is an error, no positionals). A value starting with
 * "-" is taken as the value when it is a number (`--seed -1`), where node's parser would call
 * it ambiguous. Empty values are refused: `--k ""` is a slip, not a request for a default.
 */
export function parseFlags<O extends Options>(argv: string[], options: O): Record<string, string | boolean | undefined> {
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const name = /^--([^=]+)$/.exec(argv[i])?.[1];
    if (name && options[name]?.type === "string" && /^-\d*\.?\d/.test(argv[i + 1] ?? "")) {
      args.push(`--${name}=${argv[++i]}`);
    } else args.push(argv[i]);
  }
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args, options, strict: true, allowPositionals: false }).values as Record<string, string | boolean | undefined>;
  } catch (error) {
    throw new WorkbenchError((error as Error).message.split("\n")[0], { hint: "Run with --help for the options" });
  }
  for (const [flag, value] of Object.entries(values)) {
    if (typeof value === "string" && value.trim() === "") throw new WorkbenchError(`--${flag} needs a value`, { found: value });
  }
  return values;
}

/** A whole number from a flag, at least `min`. */
export function integerFlag(text: string, flag: string, min = Number.MIN_SAFE_INTEGER): number {
  const x = /^[+-]?\d+$/.test(text.trim()) ? Number(text) : NaN;
  if (!Number.isSafeInteger(x) || x < min) {
    throw new WorkbenchError(`${flag} must be a whole number${min > Number.MIN_SAFE_INTEGER ? ` ≥ ${min}` : ""}`, { found: text });
  }
  return x;
}

/** A date flag, YYYY-MM-DD and a day on the calendar; returned as written. */
export function snapshotFlag(text: string, flag: string): string {
  try {
    parseSnapshot(text);
  } catch {
    throw new WorkbenchError(`${flag}: not a date on the calendar`, { found: text, expected: "YYYY-MM-DD, e.g. 1998-07-01" });
  }
  return text;
}
