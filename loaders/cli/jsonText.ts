/**
 * JSON text of a command's output, as JSON.stringify writes it, except that an Int32Array is
 * written as the array of its numbers (what JSON.stringify(Array.from(xs)) gives). Arrays of
 * integers (rows, labels) are most of a segment run's output: 2M of them took 150 ms through
 * Array.from and JSON.stringify, and are written here digit by digit into bytes in about 20.
 * Plain objects and arrays are walked as JSON.stringify walks them (toJSON, holes, left-out
 * values, cycles); anything else is left to JSON.stringify.
 */

/** Arrays shorter than this are left to JSON.stringify (the check would cost more than it saves). */
const MIN_INTEGERS = 64;

export function jsonText(value: object): string {
  const parts: string[] = [];
  write(resolved(value, ""), parts, []);
  return parts.join("");
}

/** The value JSON.stringify writes for `value` under `key`: what its toJSON returns, if it has one. */
function resolved(value: unknown, key: string): unknown {
  const toJSON = value !== null && typeof value === "object" ? (value as { toJSON?: unknown }).toJSON : undefined;
  return typeof toJSON === "function" ? toJSON.call(value, key) : value;
}

/** Writes a value already resolved; `open` holds the arrays and objects being written (cycles). */
function write(value: unknown, parts: string[], open: object[]): void {
  if (value instanceof Int32Array) return void parts.push(integers(value));
  if (Array.isArray(value) || isPlainObject(value)) {
    if (open.includes(value)) throw new TypeError("Converting circular structure to JSON");
    open.push(value);
    if (Array.isArray(value)) writeArray(value, parts, open);
    else writeObject(value, parts, open);
    open.pop();
    return;
  }
  parts.push(JSON.stringify(value) ?? "null");
}

function writeArray(value: unknown[], parts: string[], open: object[]): void {
  if (value.length >= MIN_INTEGERS && allInt32(value)) return void parts.push(integers(value as number[]));
  // Nothing to walk into (the ids: a million strings): JSON.stringify's own loop is the quickest.
  if (typeof (value as { toJSON?: unknown }).toJSON !== "function" && noObjects(value)) return void parts.push(JSON.stringify(value));
  parts.push("[");
  // An index loop, not forEach: a hole is written as null, as JSON.stringify does.
  for (let i = 0; i < value.length; i++) {
    if (i > 0) parts.push(",");
    const v = resolved(value[i], String(i));
    if (omitted(v)) parts.push("null");
    else write(v, parts, open);
  }
  parts.push("]");
}

function writeObject(value: Record<string, unknown>, parts: string[], open: object[]): void {
  parts.push("{");
  let first = true;
  for (const key of Object.keys(value)) {
    const v = resolved(value[key], key);
    if (omitted(v)) continue;
    parts.push(first ? "" : ",", JSON.stringify(key), ":");
    first = false;
    write(v, parts, open);
  }
  parts.push("}");
}

/** Values JSON.stringify leaves out of an object (and writes as null in an array). */
function omitted(v: unknown): boolean {
  return v === undefined || typeof v === "function" || typeof v === "symbol";
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object") return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** No element an object (or an array): strings, numbers, booleans, null, holes. */
function noObjects(xs: unknown[]): boolean {
  for (let i = 0; i < xs.length; i++) {
    const v = xs[i];
    if (v !== null && typeof v === "object") return false;
  }
  return true;
}

/** Every element a 32-bit integer (a hole is not: it is read as undefined). */
function allInt32(xs: unknown[]): boolean {
  for (let i = 0; i < xs.length; i++) {
    const v = xs[i];
    if (typeof v !== "number" || (v | 0) !== v) return false;
  }
  return true;
}

/** "[1,-2,3]" for 32-bit integers (-0 as 0, as JSON.stringify writes it). */
function integers(xs: ArrayLike<number>): string {
  const bytes = Buffer.allocUnsafe(2 + 12 * xs.length);
  let at = 0;
  bytes[at++] = 91; // [
  for (let i = 0; i < xs.length; i++) {
    if (i > 0) bytes[at++] = 44; // ,
    let v = xs[i];
    if (v < 0) {
      bytes[at++] = 45; // -
      v = -v;
    }
    // Digits from the last, then the run turned around.
    const from = at;
    do {
      const q = Math.floor(v / 10);
      bytes[at++] = 48 + (v - q * 10);
      v = q;
    } while (v > 0);
    for (let a = from, b = at - 1; a < b; a++, b--) {
      const t = bytes[a];
      bytes[a] = bytes[b];
      bytes[b] = t;
    }
  }
  bytes[at++] = 93; // ]
  return bytes.toString("latin1", 0, at);
}
