/**
 * The value of a plain decimal written in text[start, end) (given as its code units, parse.ts's
 * charCodes), read in place: no substring, no
 * Number(). It is the reader's fast path (a million-row CSV has eight million such fields, and
 * slicing each one and handing it to Number() was most of the read), so it takes only the shape
 * most numbers in data have, -?(digits[.[digits]]|.digits) with at most 19 significant digits
 * (from the first non-zero digit, trailing zeros included) and 22 after the point, and returns false for anything else (blanks, a sign "+", an exponent, more
 * digits, text): the caller then reads the field the slow way. The value is exactly Number()'s,
 * the nearest double, ties to even:
 *   - up to 15 significant digits, m / 10^f with both exact doubles: one correctly rounded
 *     division (Clinger's fast path);
 *   - 16 to 19 digits (the shortest form of a random double has 17), m is held exactly as a sum
 *     of two doubles and divided in double-double arithmetic, with an error far below half a
 *     unit in the last place; when the exact quotient might lie within that error of a point
 *     halfway between two doubles (never in practice, but provably handled), it is given back
 *     to Number().
 * The value is stored into an array rather than returned: a double returned from a call that is
 * not inlined is boxed, a heap allocation per field that doubled the collector's work.
 * test/decimal.test.ts compares it with Number() on millions of texts, midpoints included.
 */

import type { CharCodes } from "./parse.ts";

/** 10^0 … 10^22: every one an exact double. */
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/** Veltkamp's constant for splitting a double into two halves of 26 bits (Dekker's exact product). */
const SPLITTER = 134217729; // 2^27 + 1

const TWO_25 = 33554432;

/** 2^-48: a generous multiple of the double-double quotient's error (see below). */
const ERROR_SCALE = 2 ** -48;

/** Views of one double's bits, for its exponent (half a unit in its last place) and whether it is a power of two. */
const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);

/** Stores the decimal's value at out[at], or returns false when it is not in the fast path's shape (see above). */
export function decimalInto(codes: CharCodes, start: number, end: number, out: Float64Array, at: number): boolean {
  let i = start;
  const negative = codes[i] === 45;
  if (negative) i++;
  // Leading zeros, and a point among them, are not significant (0.0042, 007).
  let point = -1; // where the point is
  let zeros = false;
  for (; i < end; i++) {
    const c = codes[i];
    if (c === 48) zeros = true;
    else if (c === 46 && point < 0) point = i;
    else break;
  }
  // The first 15 significant digits in head (exact), the rest in tail (at most 4 are taken).
  let head = 0;
  let n = 0;
  for (; i < end && n < 15; i++) {
    const d = codes[i] - 48;
    if (d >= 0 && d <= 9) {
      head = head * 10 + d;
      n++;
    } else if (d === -2 && point < 0) point = i;
    else return false;
  }
  let tail = 0;
  let tailDigits = 0;
  for (; i < end; i++) {
    const d = codes[i] - 48;
    if (d >= 0 && d <= 9) {
      tail = tail * 10 + d;
      tailDigits++;
    } else if (d === -2 && point < 0) point = i;
    else return false;
  }
  const fraction = point < 0 ? 0 : end - point - 1;
  if ((n === 0 && !zeros) || tailDigits > 4 || fraction > 22) return false;
  const p = POW10[fraction];
  if (tailDigits === 0) {
    out[at] = negative ? -head / p : head / p;
    return true;
  }
  // 16 to 19 digits: (m = head · 10^tailDigits + tail) / p. (In this one function: a call with
  // doubles for arguments boxes them too.) First m exactly, as a + b: head split in two 25-bit
  // halves so that each product is below 2^39, then TwoSum.
  const t = POW10[tailDigits];
  const high = Math.floor(head / TWO_25);
  const u = high * t * TWO_25;
  const v = (head - high * TWO_25) * t + tail;
  const a = u + v;
  const av = a - u;
  const b = u - (a - av) + (v - av);
  // q1 = a / p, and its remainder (a - q1 p) exactly through Dekker's product q1 p = ph + pl.
  const q1 = a / p;
  const ph = q1 * p;
  let s = SPLITTER * q1;
  const qh = s - (s - q1);
  const ql = q1 - qh;
  s = SPLITTER * p;
  const phh = s - (s - p);
  const phl = p - phh;
  const pl = qh * phh - ph + qh * phl + ql * phh + ql * phl;
  const d = a - ph; // exact: ph is within two units of a (Sterbenz)
  // m / p = q1 + (d - pl + b) / p exactly; q2 carries the second term with an error below
  // 2^-51 (|d| + |pl| + |b|) / p (two roundings in r, one in the division).
  const q2 = (d - pl + b) / p;
  const sum = q1 + q2;
  const rest = q2 - (sum - q1); // sum + rest = q1 + q2 exactly (|q1| ≥ |q2|)
  const error = (ERROR_SCALE * (Math.abs(d) + Math.abs(pl) + Math.abs(b))) / p;
  // sum is the answer if the exact quotient, within `error` of sum + rest, rounds to it: rest
  // plus the error stays short of half a unit in sum's last place (a quarter below a power of
  // two, where the units halve). A tie or a near-tie goes to Number().
  bits[0] = sum;
  const exponent = (words[1] >>> 20) & 0x7ff;
  const powerOfTwo = (words[1] & 0xfffff) === 0 && words[0] === 0;
  words[0] = 0;
  words[1] = (exponent - (powerOfTwo && rest < 0 ? 54 : 53)) << 20;
  if (Math.abs(rest) + error >= bits[0]) return false;
  out[at] = negative ? -sum : sum;
  return true;
}
