import { WorkbenchError } from "../errors.ts";
import type { TextFormat } from "../manifest/types.ts";

/**
 * Splits delimited text into records. CSV and TSV follow RFC 4180 quoting (a quoted field may
 * hold the delimiter, doubled quotes and line breaks); "whitespace" splits on runs of spaces and
 * tabs, ignoring leading and trailing blanks (fixed-width files such as CDNOW). A leading BOM is
 * skipped and CRLF, LF and CR line ends are all accepted. Blank records are skipped: empty lines,
 * lines of blanks, and lines of bare delimiters such as ",,," (what spreadsheets export below
 * the data); a quoted empty field ("") makes a record non-blank.
 *
 * `onRecord` receives the fields (a reused array: copy what you keep) and the 1-based physical
 * line where the record starts, so later errors can point at the right line even after quoted
 * line breaks. With `headerFirst`, the first record that is not an empty line is passed on even
 * if it holds only delimiters: it is the header, and a header without names must be reported,
 * not skipped so that the first data row silently becomes the column names.
 */
export function parseRecords(
  source: string | Iterable<string>,
  format: TextFormat,
  file: string,
  onRecord: (fields: string[], line: number) => void,
  { headerFirst = false, final = true }: { headerFirst?: boolean; final?: boolean } = {}
): PartEnd {
  const state: ParseState = { line: 1, headerFirst, fields: [] };
  const parse = format === "whitespace" ? parseWhitespace : parseDelimited(format === "csv" ? 44 : 9);
  if (typeof source === "string") {
    parse(source, source.charCodeAt(0) === 0xfeff ? 1 : 0, source.length, true, state, file, onRecord);
    return { rest: "", line: state.line };
  }
  // Pieces are parsed up to their last line break; what follows (and a record whose quoted field
  // runs on) is carried into the next piece.
  let carry = "";
  let first = true;
  for (const chunk of source) {
    const text = carry + chunk;
    const start = first && text.charCodeAt(0) === 0xfeff ? 1 : 0;
    first = false;
    const cut = text.lastIndexOf("\n") + 1;
    const done = cut > start ? parse(text, start, cut, false, state, file, onRecord) : start;
    carry = text.slice(done);
  }
  if (!final) return { rest: carry, line: state.line };
  if (carry) parse(carry, first && carry.charCodeAt(0) === 0xfeff ? 1 : 0, carry.length, true, state, file, onRecord);
  return { rest: "", line: state.line };
}

/**
 * Where parsing stopped. With `final: false` (the text is the first part of a file, cut after a
 * line break), `rest` is the text left unparsed: empty when the part ends between records, else
 * a record whose quoted field runs past the cut. `line` is the physical line the next record
 * starts on.
 */
export interface PartEnd {
  rest: string;
  line: number;
}

interface ParseState {
  /** The 1-based physical line the next record starts on. */
  line: number;
  headerFirst: boolean;
  /** The record's fields, reused. */
  fields: string[];
}

/**
 * Parses text[start, end) and returns where parsing stopped: `end`, or, when the text is not
 * `final`, the start of a record whose quoted field is still open at `end`.
 */
type PieceParser = (
  text: string,
  start: number,
  end: number,
  final: boolean,
  state: ParseState,
  file: string,
  onRecord: (fields: string[], line: number) => void
) => number;

function parseDelimited(delimiter: number): PieceParser {
  return (text, start, n, final, state, file, onRecord) => {
    const fields = state.fields;
    let i = start;
    let line = state.line;
    while (i < n) {
      const recordStart = i;
      const recordLine = line;
      fields.length = 0;
      let blank = true;
      // One record: fields until an unquoted line end or end of text.
      for (;;) {
        let value: string;
        if (text.charCodeAt(i) === 34) {
          // Quoted field.
          const quoteLine = line;
          let j = i + 1;
          let parts = "";
          let from = j;
          for (;;) {
            if (j >= n) {
              if (!final) {
                state.line = recordLine;
                return recordStart;
              }
              throw new WorkbenchError("a quoted field is never closed", {
                file,
                line: quoteLine,
                hint: 'Close the field with a double quote; a quote inside a field is written as ""'
              });
            }
            const c = text.charCodeAt(j);
            if (c === 34) {
              if (text.charCodeAt(j + 1) === 34) {
                parts += text.slice(from, j + 1);
                j += 2;
                from = j;
                continue;
              }
              break;
            }
            if (c === 10 || (c === 13 && text.charCodeAt(j + 1) !== 10)) line++;
            j++;
          }
          value = parts + text.slice(from, j);
          i = j + 1;
          const c = i < n ? text.charCodeAt(i) : 10;
          if (c !== delimiter && c !== 10 && c !== 13) {
            throw new WorkbenchError("unexpected text after a closing quote", {
              file,
              line,
              found: text.slice(i, i + 20).split(/\r?\n/)[0],
              expected: "a delimiter or the end of the line",
              hint: 'Quote the whole field and double any quote inside it ("")'
            });
          }
          blank = false;
        } else {
          let j = i;
          while (j < n) {
            const c = text.charCodeAt(j);
            if (c === delimiter || c === 10 || c === 13) break;
            j++;
          }
          value = text.slice(i, j);
          if (blank && value.trim().length > 0) blank = false;
          i = j;
        }
        fields.push(value);
        const c = i < n ? text.charCodeAt(i) : -1;
        if (c === delimiter) {
          i++;
          continue;
        }
        // Line end (or end of text) closes the record.
        if (c === 13) i += text.charCodeAt(i + 1) === 10 ? 2 : 1;
        else if (c === 10) i++;
        line++;
        break;
      }
      if (!blank || (state.headerFirst && fields.length > 1)) {
        state.headerFirst = false;
        onRecord(fields, recordLine);
      }
    }
    state.line = line;
    return n;
  };
}

const parseWhitespace: PieceParser = (text, start, n, _final, state, _file, onRecord) => {
  const fields = state.fields;
  let i = start;
  while (i < n) {
    fields.length = 0;
    for (;;) {
      while (i < n && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
      if (i >= n) break;
      const c = text.charCodeAt(i);
      if (c === 10 || c === 13) break;
      let j = i;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (d === 32 || d === 9 || d === 10 || d === 13) break;
        j++;
      }
      fields.push(text.slice(i, j));
      i = j;
    }
    if (fields.length > 0) onRecord(fields, state.line);
    if (i < n) i += text.charCodeAt(i) === 13 && text.charCodeAt(i + 1) === 10 ? 2 : 1;
    state.line++;
  }
  return n;
};
