import { isAscii } from "node:buffer";
import { closeSync, fstatSync, openSync, readSync, statSync } from "node:fs";
import { WorkbenchError } from "../errors.ts";

/** Text encodings a data file may be declared in (manifest "encoding", CLI --encoding). */
export const ENCODINGS = ["utf-8", "utf-16le", "utf-16be", "latin1", "windows-1252"] as const;
export type Encoding = (typeof ENCODINGS)[number];

/** Bytes read at a time: the text is decoded and parsed piece by piece, never held whole. */
const CHUNK_BYTES = 16 << 20;

/**
 * A data file's text, decoded piece by piece (a file larger than a JavaScript string can be read;
 * pieces end anywhere, parseRecords joins records across them). Everything that can go wrong
 * with the file itself is a one-line WorkbenchError naming it: missing, a folder, unreadable, a
 * path too long, or text that is not in the expected encoding. Without a declared encoding the
 * file must be UTF-8 (a UTF-8 BOM is dropped): a UTF-16/32 byte-order mark or bytes that are not
 * valid UTF-8 are named, with the line they are on, rather than decoded into a garbled header or
 * U+FFFD characters. `hint` says how to point at another file (the manifest's "file", or --input).
 * `start` and `end` read part of the file: byte offsets at line breaks, so no character is cut.
 */
export function* textChunks(
  path: string,
  shown: string,
  {
    encoding,
    hint,
    chunkBytes = CHUNK_BYTES,
    progress,
    start = 0,
    end = Infinity
  }: { encoding?: Encoding; hint: string; chunkBytes?: number; progress?: (fraction: number) => void; start?: number; end?: number }
): Generator<string> {
  const fd = openFile(path, shown, hint);
  const size = progress ? Math.min(end, fstatSync(fd).size) - start : 0;
  try {
    const buffer = Buffer.allocUnsafe(chunkBytes);
    const utf8 = !encoding || encoding === "utf-8";
    let decoder: TextDecoder | null = null;
    let pending = false;
    let offset = start;
    for (;;) {
      const got = readSync(fd, buffer, 0, Math.min(chunkBytes, end - offset), offset);
      const bytes = buffer.subarray(0, got);
      if (!decoder) {
        if (utf8 && offset === 0) checkUtf8Start(bytes, shown);
        decoder = new TextDecoder(encoding ?? "utf-8", { fatal: utf8 });
      }
      let text: string;
      // ASCII is its own UTF-8 and Latin-1: decoded as Latin-1 it skips the UTF-8 decoder's
      // checks (4x faster), unless the decoder holds the start of a character from the last piece.
      if (utf8 && !pending && isAscii(bytes)) text = bytes.toString("latin1");
      else {
        try {
          text = decoder.decode(bytes, { stream: got > 0 });
        } catch {
          throw invalidUtf8(fd, offset, got, shown);
        }
      }
      pending = got > 0 && bytes[got - 1] >= 0x80;
      if (text) yield offset === 0 && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
      if (got === 0) return;
      offset += got;
      if (size) progress?.((offset - start) / size);
    }
  } finally {
    closeSync(fd);
  }
}

/** What the first bytes of a file declared UTF-8 say it really is, as a WorkbenchError. */
function checkUtf8Start(bytes: Uint8Array, shown: string): void {
  const bom = byteOrderMark(bytes);
  if (bom) {
    throw new WorkbenchError(`the file is ${bom.name} text, not UTF-8`, {
      file: shown,
      hint: bom.encoding
        ? `Set "encoding": "${bom.encoding}" in its manifest entry (--encoding ${bom.encoding} on the command line), or save it as UTF-8`
        : "Save it as UTF-8"
    });
  }
  if (bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 3 && bytes[3] === 4) {
    throw new WorkbenchError("the file is a ZIP archive (an Excel .xlsx workbook?), not delimited text", { file: shown, hint: "Export it as CSV (UTF-8)" });
  }
  const utf16 = utf16WithoutBom(bytes);
  if (utf16) {
    throw new WorkbenchError(`the file looks like UTF-16 (${utf16 === "utf-16le" ? "little" : "big"}-endian) text without a byte-order mark, not UTF-8`, {
      file: shown,
      hint: `Set "encoding": "${utf16}" in its manifest entry (--encoding ${utf16} on the command line), or save it as UTF-8`
    });
  }
}

/**
 * The first byte that breaks UTF-8 in the piece of `got` bytes at `offset` (the decoder refused
 * it), with its line. Only that piece and the few bytes before it are read again, and the lines
 * before it counted piece by piece, so a file of any size can be named.
 */
function invalidUtf8(fd: number, offset: number, got: number, shown: string): WorkbenchError {
  // The line's start for the message, and a character begun in the previous piece checked
  // whole: up to 256 bytes before the piece, from the first byte that starts a character.
  const from = Math.max(0, offset - 256);
  const window = Buffer.alloc(offset + got - from);
  readSync(fd, window, 0, window.length, from);
  let start = 0;
  while (start < offset - from && (window[start] & 0xc0) === 0x80) start++;
  const at = start + Math.max(0, firstInvalidUtf8(window.subarray(start)));
  const lineStart = at > 0 ? window.lastIndexOf(10, at - 1) + 1 : 0;
  return new WorkbenchError(`the file is not valid UTF-8: byte 0x${window[at].toString(16).toUpperCase().padStart(2, "0")} cannot start or continue a character`, {
    file: shown,
    line: linesBefore(fd, from + at),
    found: new TextDecoder("utf-8").decode(window.subarray(lineStart, Math.min(window.length, at + 20))).split(/\r?\n|\r/)[0],
    hint: 'Save the file as UTF-8, or declare its encoding: "encoding": "windows-1252" (or "latin1") in its manifest entry, --encoding on the command line'
  });
}

/** The 1-based line of byte `end`: line breaks (LF, CRLF, lone CR) before it, read piece by piece. */
function linesBefore(fd: number, end: number): number {
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES + 1);
  let line = 1;
  for (let offset = 0; offset < end; offset += CHUNK_BYTES) {
    // One byte more than the piece, to see whether a CR at its end is followed by an LF.
    const got = readSync(fd, buffer, 0, Math.min(CHUNK_BYTES, end - offset) + 1, offset);
    const upTo = Math.min(got, end - offset);
    for (let i = 0; i < upTo; i++) if (buffer[i] === 10 || (buffer[i] === 13 && (i + 1 >= got || buffer[i + 1] !== 10))) line++;
  }
  return line;
}

/** The open file, or a WorkbenchError saying why it cannot be read. */
function openFile(path: string, shown: string, hint: string): number {
  const fail = (what: string) => new WorkbenchError(what, { file: shown, hint });
  let stat;
  try {
    stat = statSync(path);
  } catch (error) {
    throw fail(fileProblem(error));
  }
  if (stat.isDirectory()) throw fail("is a folder, not a data file");
  if (!stat.isFile()) throw fail("is not a regular file");
  try {
    return openSync(path, "r");
  } catch (error) {
    throw fail(fileProblem(error));
  }
}

/** What a file-system error means to the user, in words. */
export function fileProblem(error: unknown): string {
  switch ((error as NodeJS.ErrnoException).code) {
    case "ENOENT":
    case "ENOTDIR":
      return "data file not found";
    case "EACCES":
    case "EPERM":
      return "data file cannot be read (permission denied)";
    case "ENAMETOOLONG":
      return "the path is too long for the file system";
    case "EISDIR":
      return "is a folder, not a data file";
    case "ELOOP":
      return "the path has a symbolic link loop";
    default:
      return `data file cannot be read (${(error as NodeJS.ErrnoException).code ?? "unknown error"})`;
  }
}

function byteOrderMark(b: Uint8Array): { name: string; encoding?: Encoding } | null {
  if (b[0] === 0xff && b[1] === 0xfe && b[2] === 0 && b[3] === 0) return { name: "UTF-32 (little-endian)" };
  if (b[0] === 0 && b[1] === 0 && b[2] === 0xfe && b[3] === 0xff) return { name: "UTF-32 (big-endian)" };
  if (b[0] === 0xff && b[1] === 0xfe) return { name: "UTF-16 (little-endian)", encoding: "utf-16le" };
  if (b[0] === 0xfe && b[1] === 0xff) return { name: "UTF-16 (big-endian)", encoding: "utf-16be" };
  return null;
}

/** Latin text in UTF-16 has a zero in every other byte (odd bytes: little-endian); UTF-8 text has none. */
function utf16WithoutBom(b: Uint8Array): Encoding | null {
  const n = Math.min(b.length, 4096) & ~1;
  let even = 0;
  let odd = 0;
  for (let i = 0; i < n; i += 2) {
    if (b[i] === 0) even++;
    if (b[i + 1] === 0) odd++;
  }
  if (n < 4) return null;
  if (odd > 0.4 * (n / 2) && even === 0) return "utf-16le";
  if (even > 0.4 * (n / 2) && odd === 0) return "utf-16be";
  return null;
}

/** Offset of the first byte that breaks UTF-8 (RFC 3629: no overlongs, surrogates or > U+10FFFF), or -1. */
export function firstInvalidUtf8(b: Uint8Array): number {
  const n = b.length;
  let i = 0;
  while (i < n) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      if (c === 0xe0) lo = 0xa0;
      else if (c === 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      if (c === 0xf0) lo = 0x90;
      else if (c === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= need; k++) {
      const d = b[i + k];
      if (d === undefined || d < (k === 1 ? lo : 0x80) || d > (k === 1 ? hi : 0xbf)) return i;
    }
    i += need + 1;
  }
  return -1;
}
