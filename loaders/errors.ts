/**
 * The one error type for problems a user can cause: bad input files, a bad manifest entry,
 * an impossible parameter. Entry points (loaders, CLI, build) print `message` alone — no
 * stack trace — and exit non-zero. The message says what, where and how to fix it.
 */
export interface ErrorWhere {
  /** File the problem is in (as the user named it). */
  file?: string;
  /** 1-based physical line in that file. */
  line?: number;
  /** Column (header name) or parameter name. */
  column?: string;
  /** A field of a JSON document such as the manifest, as a path ("datasets.shop.kind"). */
  field?: string;
  /** What was found, quoted in the message. */
  found?: string;
  /** What was expected instead. */
  expected?: string;
  /** How to fix it. */
  hint?: string;
}

export class WorkbenchError extends Error {
  /** The problem alone; `message` adds where it is. */
  readonly what: string;
  readonly where: ErrorWhere;
  constructor(what: string, where: ErrorWhere = {}) {
    super(formatMessage(what, where));
    this.name = "WorkbenchError";
    this.what = what;
    this.where = where;
  }
}

function formatMessage(what: string, w: ErrorWhere): string {
  const place = [
    w.file,
    w.line !== undefined ? `line ${w.line}` : undefined,
    w.column !== undefined ? `column "${w.column}"` : undefined,
    w.field !== undefined ? `field "${w.field}"` : undefined
  ]
    .filter(Boolean)
    .join(", ");
  let text = place ? `${place}: ${what}` : what;
  if (w.found !== undefined) text += `; found ${JSON.stringify(truncate(w.found))}`;
  if (w.expected !== undefined) text += `, expected ${w.expected}`;
  if (w.hint) text += `. ${w.hint}`;
  return text;
}

function truncate(s: string): string {
  return s.length > 60 ? s.slice(0, 57) + "..." : s;
}

/** Rejects a parameter outside its allowed range with a message naming it. */
export function checkParam(ok: boolean, name: string, found: unknown, expected: string): void {
  if (!ok) throw new WorkbenchError(`invalid parameter ${name}`, { found: String(found), expected });
}

/**
 * Runs an entry point's main function; a WorkbenchError becomes its one-line message on stderr
 * and exit code 1. Anything else is a bug in the workbench, so it keeps its stack.
 */
export async function runMain(main: () => Promise<void> | void): Promise<void> {
  const code = await exitCode(main, (text) => process.stderr.write(text));
  if (code !== 0) process.exit(code);
}

/** The exit code of `main`: 0, or 1 after writing a WorkbenchError's one line to `err` (tests run commands in-process with it). */
export async function exitCode(main: () => Promise<void> | void, err: (text: string) => void): Promise<number> {
  try {
    await main();
    return 0;
  } catch (error) {
    if (!(error instanceof WorkbenchError)) throw error;
    err(`error: ${error.message}\n`);
    return 1;
  }
}
