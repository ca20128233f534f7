import { WorkbenchError } from "../errors.ts";

/**
 * Typing of single fields. Missing values are decided by the caller (the manifest's
 * missingValues); these functions see only present fields and throw a WorkbenchError
 * whose `where` the reader completes with file, line and column.
 */

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const NON_FINITE = /^[+-]?(?:nan|inf|infinity)$/i;

export function parseNumber(text: string): number {
  const t = text.trim();
  if (NUMBER.test(t)) return Number(t);
  if (NON_FINITE.test(t)) {
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
  parse(text: string): number;
}

/**
 * Builds a parser for a date format made of YYYY, MM and DD with any separators
 * ("YYYYMMDD", "DD-MM-YYYY", "YYYY-MM-DD", "MM/DD/YYYY"). Dates become epoch
 * milliseconds at UTC midnight, so day arithmetic never meets daylight saving time.
 */
export function dateParser(format: string): DateParser {
  const tokens: Array<{ kind: "Y" | "M" | "D"; at: number; len: number }> = [];
  const re = /YYYY|MM|DD/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(format))) tokens.push({ kind: m[0][0] as "Y" | "M" | "D", at: m.index, len: m[0].length });
  const kinds = tokens.map((t) => t.kind).sort().join("");
  if (kinds !== "DMY") {
    throw new WorkbenchError("unknown date format", {
      column: "dateFormat",
      found: format,
      expected: 'a pattern with YYYY, MM and DD once each, such as "YYYY-MM-DD" or "YYYYMMDD"'
    });
  }
  const separators = format.replace(/YYYY|MM|DD/g, (s) => "#".repeat(s.length));
  const expected = `a date like ${JSON.stringify(format)}`;
  return {
    format,
    parse(text: string): number {
      const t = text.trim();
      let ok = t.length === format.length;
      for (let i = 0; ok && i < t.length; i++) {
        const c = t.charCodeAt(i);
        const isDigit = c >= 48 && c <= 57;
        ok = separators[i] === "#" ? isDigit : t[i] === separators[i];
      }
      if (ok) {
        const get = (kind: string) => {
          const tok = tokens.find((x) => x.kind === kind)!;
          return Number(t.slice(tok.at, tok.at + tok.len));
        };
        const y = get("Y");
        const mo = get("M");
        const d = get("D");
        const ms = Date.UTC(y, mo - 1, d);
        const back = new Date(ms);
        if (mo >= 1 && mo <= 12 && back.getUTCDate() === d && back.getUTCMonth() === mo - 1) return ms;
      }
      throw new WorkbenchError("is not a valid date", {
        found: text,
        expected,
        hint: 'Fix the value, or set "dateFormat" in data/manifest.json to the format the file uses'
      });
    }
  };
}
