/**
 * JSON text of a command's output, as JSON.stringify writes it, except that an Int32Array is
 * written as the array of its numbers (what JSON.stringify(Array.from(xs)) gives). Arrays of
 * integers (rows, labels) are most of a segment run's output: 2M of them took 150 ms through
 * Array.from and JSON.stringify, and are written here digit by digit into bytes in about 20.
 * Plain objects and arrays are walked; anything else is left to JSON.stringify.
 */

/** Arrays shorter than this are left to JSON.stringify (the check would cost more than it saves). */
const MIN_INTEGERS = 64;

export function jsonText(value: unknown): string {
  const parts: string[] = [];
  write(value, parts);
  return parts.join("");
}

function write(value: unknown, parts: string[]): void {
  if (value instanceof Int32Array) return void parts.push(integers(value));
  if (Array.isArray(value)) {
    if (value.length >= MIN_INTEGERS && value.every(isInt32)) return void parts.push(integers(value));
    parts.push("[");
    value.forEach((v, i) => {
      if (i > 0) parts.push(",");
      if (omitted(v)) parts.push("null");
      else write(v, parts);
    });
    return void parts.push("]");
  }
  if (!isPlainObject(value)) return void parts.push(JSON.stringify(value) ?? "null");
  parts.push("{");
  let first = true;
  for (const key of Object.keys(value)) {
    const v = value[key];
    if (omitted(v)) continue;
    parts.push(first ? "" : ",", JSON.stringify(key), ":");
    first = false;
    write(v, parts);
  }
  parts.push("}");
}

/** Values JSON.stringify leaves out of an object (and writes as null in an array). */
function omitted(v: unknown): boolean {
  return v === undefined || typeof v === "function" || typeof v === "symbol";
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object" || typeof (v as { toJSON?: unknown }).toJSON === "function") return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function isInt32(v: unknown): boolean {
  return typeof v === "number" && (v | 0) === v;
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
