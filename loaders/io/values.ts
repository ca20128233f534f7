import { WorkbenchError } from "../errors.ts";

/**
 * Typing of single fields. Missing values are decided by the caller (the manifest's
 * missingValues); these functions see only present fields and throw a WorkbenchError
 * whose `where` the reader completes with file, line and column.
 */

const NON_FINITE = /^[+-]?(?:nan|inf|infinity)$/i;

/**
 * The value of a plain decimal number — [+-](digits[.digits]|.digits)[(e|E)[+-]digits], blanks
 * around it allowed — or NaN for any other text. Values beyond ±1.8e308 come back infinite.
 * It runs on every numeric field the reader could not read in place (decimal.ts takes the plain
 * decimals of unquoted records), so it leaves the work to Number(), whose
 * grammar (ECMAScript StringNumericLiteral) is this one plus surrounding blanks, the empty
 * text, "Infinity" and 0x/0o/0b integers: those are the cases ruled out around it.
 */
export function plainNumber(text: string): number {
  const n = text.length;
  if (n === 0) return NaN;
  const first = text.charCodeAt(0);
  const last = text.charCodeAt(n - 1);
  // Blanks (any Unicode white space, as String.trim) are rare: only then is the text trimmed.
  if (first <= 32 || last <= 32 || first > 127 || last > 127) {
    const t = text.trim();
    return t.length === n ? decimal(t) : plainNumber(t);
  }
  return decimal(text);
}

function decimal(t: string): number {
  if (t.charCodeAt(0) === 48 && t.length > 1) {
    const prefix = t.charCodeAt(1) | 32;
    if (prefix === 120 || prefix === 111 || prefix === 98) return NaN; // 0x, 0o, 0b
  }
  const x = Number(t);
  if (x - x === 0) return x;
  // Infinite: "Infinity" is a word, not a number; 1e400 is a number too large (ends in a digit).
  const end = t.charCodeAt(t.length - 1);
  return x === x && end >= 48 && end <= 57 ? x : NaN;
}

/**
 * 1e309, or hundreds of digits: a double cannot hold it, and Infinity would silently dominate
 * every mean and distance.
 */
export function tooLarge(text: string): WorkbenchError {
  return new WorkbenchError("is too large to be a number (beyond ±1.8e308)", {
    found: text,
    expected: "a finite number",
    hint: "Fix the value, or leave the field empty if it is missing"
  });
}

export function parseNumber(text: string): number {
  const x = plainNumber(text);
  if (Number.isFinite(x)) return x;
  if (!Number.isNaN(x)) throw tooLarge(text);
  if (NON_FINITE.test(text.trim())) {
    throw new WorkbenchError("is not a finite number", {
      found: text,
      expected: "a finite number",
      hint: "Leave the field empty if the value is missing"
    });
  }
  throw new WorkbenchError("is not a number", {
    found: text,
    expected: "a number such as 1234.5 (no thousands separators or units)",
    hint: "Fix the value, leave it empty if it is missing, or give the column another role in data/manifest.json"
  });
}

export interface DateParser {
  format: string;
  /** Epoch milliseconds of the wall-clock date and time written (as if UTC). */
  parse(text: string): number;
}

/** The format name for ISO 8601 dates and date-times (see dateParser). */
export const ISO_8601 = "ISO8601";

/**
 * Two-digit years (YY) as POSIX strptime and Python read them: 69–99 are 1969–1999,
 * 00–68 are 2000–2068.
 */
export function fullYear(yy: number): number {
  return yy >= 69 ? 1900 + yy : 2000 + yy;
}

type Part = "Y" | "YY" | "M" | "D" | "H" | "m" | "s";
const TOKENS: Record<string, { part: Part; re: string }> = {
  YYYY: { part: "Y", re: "(\\d{4})" },
  YY: { part: "YY", re: "(\\d{2})" },
  MM: { part: "M", re: "(\\d{2})" },
  M: { part: "M", re: "(\\d{1,2})" },
  DD: { part: "D", re: "(\\d{2})" },
  D: { part: "D", re: "(\\d{1,2})" },
  HH: { part: "H", re: "(\\d{2})" },
  H: { part: "H", re: "(\\d{1,2})" },
  mm: { part: "m", re: "(\\d{2})" },
  ss: { part: "s", re: "(\\d{2})" }
};
const TOKEN = /YYYY|YY|MM|M|DD|D|HH|H|mm|ss/g;
/** ISO 8601: a date, optionally a time (T or a space) with optional seconds and fraction, then Z or an offset. */
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Builds a parser for a date format. Tokens: YYYY or YY (two-digit year, see fullYear), MM or M
 * (month, M allows one digit), DD or D, and optionally a time of day: HH or H (hour 0–23),
 * mm (minutes), ss (seconds); anything else must appear as written ("DD-MM-YY H:mm",
 * "YYYY-MM-DD HH:mm:ss", "MM/DD/YYYY", "YYYYMMDD"). "ISO8601" reads ISO 8601 dates and
 * date-times such as 2010-12-01T08:26:00Z. Times are kept as written (wall clock): an offset
 * or Z is accepted but not applied, so a purchase stays on the calendar day it was written on.
 * Values become epoch milliseconds as if the wall-clock time were UTC, so day arithmetic never
 * meets daylight saving time.
 */
export function dateParser(format: string): DateParser {
  const expected = `a date like ${JSON.stringify(format)}`;
  const invalid = (text: string) =>
    new WorkbenchError("is not a valid date", {
      found: text,
      expected: format === ISO_8601 ? "an ISO 8601 date such as 2010-12-01 or 2010-12-01T08:26:00Z" : expected,
      hint: 'Fix the value, or set "dateFormat" in data/manifest.json to the format the file uses'
    });
  let regex: RegExp;
  let parts: Part[];
  if (format === ISO_8601) {
    regex = ISO;
    parts = ["Y", "M", "D", "H", "m", "s"];
  } else {
    parts = [];
    let source = "^";
    let last = 0;
    for (const m of format.matchAll(TOKEN)) {
      source += escapeRegex(format.slice(last, m.index)) + TOKENS[m[0]].re;
      parts.push(TOKENS[m[0]].part);
      last = m.index! + m[0].length;
    }
    source += escapeRegex(format.slice(last)) + "$";
    const count = (p: Part) => parts.filter((x) => x === p).length;
    const years = count("Y") + count("YY");
    const ok =
      years === 1 && count("M") === 1 && count("D") === 1 && count("H") <= 1 && count("m") <= count("H") && count("s") <= count("m");
    if (!ok) {
      throw new WorkbenchError("unknown date format", {
        found: format,
        expected:
          'YYYY (or YY), MM (or M) and DD (or D) once each, optionally HH (or H), mm and ss, e.g. "YYYY-MM-DD", "DD-MM-YY H:mm", "YYYYMMDD", or "ISO8601"'
      });
    }
    regex = new RegExp(source);
  }
  return {
    format,
    parse(text: string): number {
      const match = regex.exec(text.trim());
      if (!match) throw invalid(text);
      let y = NaN, mo = NaN, d = NaN, h = 0, mi = 0, s = 0;
      parts.forEach((part, i) => {
        const v = match[i + 1] === undefined ? 0 : Number(match[i + 1]);
        if (part === "Y") y = v;
        else if (part === "YY") y = fullYear(v);
        else if (part === "M") mo = v;
        else if (part === "D") d = v;
        else if (part === "H") h = v;
        else if (part === "m") mi = v;
        else s = v;
      });
      const ms = Date.UTC(y, mo - 1, d, h, mi, s);
      const back = new Date(ms);
      const valid = mo >= 1 && mo <= 12 && back.getUTCDate() === d && back.getUTCMonth() === mo - 1 && h <= 23 && mi <= 59 && s <= 59;
      if (!valid) throw invalid(text);
      // Date.UTC maps years 0–99 to 1900–1999; a four-digit year is meant as written.
      return y < 100 ? new Date(ms).setUTCFullYear(y) : ms;
    }
  };
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
