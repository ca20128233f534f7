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
 *
 * With `onSpans`, a CSV or TSV record without quotes goes there instead, as the places of its
 * fields in the text: the reader then parses numbers where they lie and cuts out only the texts
 * it keeps (a substring per field was much of the cost of a large file).
 */
export function parseRecords(
  source: string | Iterable<string>,
  format: TextFormat,
  file: string,
  onRecord: (fields: string[], line: number) => void,
  { headerFirst = false, final = true, onSpans }: { headerFirst?: boolean; final?: boolean; onSpans?: (spans: Spans, line: number) => void } = {}
): PartEnd {
  const state: ParseState = {
    line: 1,
    headerFirst,
    fields: [],
    spans: { text: "", codes: new Uint8Array(0), starts: new Int32Array(64), ends: new Int32Array(64), count: 0 },
    onRecord,
    onSpans,
    bytes: Buffer.alloc(0)
  };
  const parse = format === "whitespace" ? parseWhitespace : parseDelimited(format === "csv" ? 44 : 9);
  if (typeof source === "string") {
    parse(source, charCodes(source, state), source.charCodeAt(0) === 0xfeff ? 1 : 0, source.length, true, state, file);
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
    const done = cut > start ? parse(text, charCodes(text, state), start, cut, false, state, file) : start;
    carry = text.slice(done);
  }
  if (!final) return { rest: carry, line: state.line };
  if (carry) parse(carry, charCodes(carry, state), first && carry.charCodeAt(0) === 0xfeff ? 1 : 0, carry.length, true, state, file);
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

/** A record's fields as places in a text: field f is text[starts[f], ends[f]), f < count. */
export interface Spans {
  text: string;
  codes: CharCodes;
  starts: Int32Array;
  ends: Int32Array;
  count: number;
}

/** The fields of a record given as spans. */
export function spanTexts(spans: Spans): string[] {
  return Array.from({ length: spans.count }, (_, f) => spans.text.slice(spans.starts[f], spans.ends[f]));
}

interface ParseState {
  /** The 1-based physical line the next record starts on. */
  line: number;
  headerFirst: boolean;
  /** The record's fields, reused; a quoted field's value is here while its start is -1 in `spans`. */
  fields: string[];
  /** The record's fields' places, reused. */
  spans: Spans;
  onRecord: (fields: string[], line: number) => void;
  onSpans?: (spans: Spans, line: number) => void;
  /** The current piece's Latin-1 bytes (charCodes), reused from piece to piece. */
  bytes: Buffer;
}

/**
 * Parses text[start, end) and returns where parsing stopped: `end`, or, when the text is not
 * `final`, the start of a record whose quoted field is still open at `end`.
 */
type PieceParser = (text: string, codes: CharCodes, start: number, end: number, final: boolean, state: ParseState, file: string) => number;

/** A text's UTF-16 code units; the parse loops index them (about twice as fast as charCodeAt) and slice the text. */
export type CharCodes = Uint8Array | Uint16Array;

/**
 * The text's code units: its Latin-1 bytes when every character is below U+0100 (a test V8
 * answers at once for such a text), written into `reuse` when it is large enough (a fresh 16 MB
 * buffer per piece made the collector run for the memory outside the heap).
 */
export function charCodes(text: string, reuse?: { bytes: Buffer }): CharCodes {
  if (!/[^\u0000-\u00ff]/.test(text)) {
    if (!reuse) return Buffer.from(text, "latin1");
    if (reuse.bytes.length < text.length) reuse.bytes = Buffer.allocUnsafe(Math.max(text.length, 2 * reuse.bytes.length));
    reuse.bytes.write(text, 0, "latin1");
    return reuse.bytes.subarray(0, text.length);
  }
  const bytes = Buffer.from(text, "utf16le");
  return bytes.byteOffset % 2 === 0 ? new Uint16Array(bytes.buffer, bytes.byteOffset, text.length) : new Uint16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
}

function parseDelimited(delimiter: number): PieceParser {
  return (text, codes, start, n, final, state, file) => {
    const fields = state.fields;
    state.spans.text = text;
    state.spans.codes = codes;
    let i = start;
    let line = state.line;
    while (i < n) {
      const recordStart = i;
      const recordLine = line;
      let count = 0;
      let quoted = false;
      // One record: fields until an unquoted line end or end of text.
      for (;;) {
        if (count === state.spans.starts.length) growSpans(state.spans);
        if (codes[i] === 34) {
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
            const c = codes[j];
            if (c === 34) {
              if (codes[j + 1] === 34) {
                parts += text.slice(from, j + 1);
                j += 2;
                from = j;
                continue;
              }
              break;
            }
            if (c === 10 || (c === 13 && codes[j + 1] !== 10)) line++;
            j++;
          }
          fields[count] = parts + text.slice(from, j);
          state.spans.starts[count] = -1;
          quoted = true;
          i = j + 1;
          const c = i < n ? codes[i] : 10;
          if (c !== delimiter && c !== 10 && c !== 13) {
            throw new WorkbenchError("unexpected text after a closing quote", {
              file,
              line,
              found: text.slice(i, i + 20).split(/\r?\n/)[0],
              expected: "a delimiter or the end of the line",
              hint: 'Quote the whole field and double any quote inside it ("")'
            });
          }
        } else {
          let j = i;
          while (j < n) {
            const c = codes[j];
            if (c === delimiter || c === 10 || c === 13) break;
            j++;
          }
          state.spans.starts[count] = i;
          state.spans.ends[count] = j;
          i = j;
        }
        count++;
        const c = i < n ? codes[i] : -1;
        if (c === delimiter) {
          i++;
          continue;
        }
        // Line end (or end of text) closes the record.
        if (c === 13) i += codes[i + 1] === 10 ? 2 : 1;
        else if (c === 10) i++;
        line++;
        break;
      }
      deliver(count, quoted, recordLine, state);
    }
    state.line = line;
    return n;
  };
}

/**
 * Passes a record of `count` fields on, as spans (no quoted field, and the caller takes them) or
 * as field texts, unless it is blank (see parseRecords).
 */
function deliver(count: number, quoted: boolean, line: number, state: ParseState): void {
  const { spans, fields } = state;
  const { text, starts, ends } = spans;
  if (!quoted && state.onSpans) {
    if (!(state.headerFirst && count > 1) && blankSpans(spans, count)) return;
    state.headerFirst = false;
    spans.count = count;
    state.onSpans(spans, line);
    return;
  }
  fields.length = count;
  let blank = !quoted;
  for (let f = 0; f < count; f++) {
    if (starts[f] < 0) continue;
    fields[f] = text.slice(starts[f], ends[f]);
    if (blank && fields[f].trim().length > 0) blank = false;
  }
  if (!blank || (state.headerFirst && count > 1)) {
    state.headerFirst = false;
    state.onRecord(fields, line);
  }
}

/** Whether every field is empty or blanks (String.trim's): a printable ASCII first character settles most. */
function blankSpans(spans: Spans, count: number): boolean {
  for (let f = 0; f < count; f++) {
    const start = spans.starts[f];
    const end = spans.ends[f];
    if (start === end) continue;
    const c = spans.codes[start];
    if ((c > 32 && c < 127) || spans.text.slice(start, end).trim().length > 0) return false;
  }
  return true;
}

/** Room for twice as many fields. */
function growSpans(spans: Spans): void {
  const starts = new Int32Array(spans.starts.length * 2);
  const ends = new Int32Array(spans.ends.length * 2);
  starts.set(spans.starts);
  ends.set(spans.ends);
  spans.starts = starts;
  spans.ends = ends;
}

const parseWhitespace: PieceParser = (text, codes, start, n, _final, state) => {
  const fields = state.fields;
  let i = start;
  while (i < n) {
    fields.length = 0;
    for (;;) {
      while (i < n && (codes[i] === 32 || codes[i] === 9)) i++;
      if (i >= n) break;
      const c = codes[i];
      if (c === 10 || c === 13) break;
      let j = i;
      while (j < n) {
        const d = codes[j];
        if (d === 32 || d === 9 || d === 10 || d === 13) break;
        j++;
      }
      fields.push(text.slice(i, j));
      i = j;
    }
    if (fields.length > 0) state.onRecord(fields, state.line);
    if (i < n) i += codes[i] === 13 && codes[i + 1] === 10 ? 2 : 1;
    state.line++;
  }
  return n;
};
