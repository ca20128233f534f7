/**
 * The reader's in-place decimal parse (loaders/io/decimal.ts) against Number(), the reference
 * (ECMAScript's StringToNumber: the nearest double, ties to even). Every text the fast path
 * answers must give Number()'s double bit for bit (-0 included); NaN means "read it the slow
 * way", allowed only outside the fast path's shape or at a tie. (Texts within its error bound of
 * a tie but not on one, which it also declines, are too rare for random texts to reach: the
 * bound is argued in decimal.ts, not tested.)
 */
import { describe, expect, it } from "vitest";
import { decimalInto } from "../loaders/io/decimal.ts";
import { charCodes } from "../loaders/io/parse.ts";
import { Rng } from "../loaders/rng.ts";

const view = new DataView(new ArrayBuffer(8));

/** A double's significand and binary exponent: x = m · 2^e. */
function split(x: number): { m: bigint; e: number } {
  view.setFloat64(0, x);
  const raw = view.getBigUint64(0);
  const biased = Number((raw >> 52n) & 0x7ffn);
  return { m: (raw & ((1n << 52n) - 1n)) | (1n << 52n), e: biased - 1075 };
}

const out = new Float64Array(2);

/** The fast path's value of text[start, end), NaN where it declines. */
function decimalAt(text: string, start: number, end: number): number {
  out[1] = NaN;
  return decimalInto(charCodes(text), start, end, out, 1) ? out[1] : NaN;
}

/** Whether the text has the fast path's shape: -?(digits[.digits]|.digits), ≤ 19 significant digits, ≤ 22 after the point. */
function inShape(text: string): boolean {
  const m = /^-?(\d*)(?:\.(\d*))?$/.exec(text);
  if (!m || m[1].length + (m[2] ?? "").length === 0) return false;
  return (m[2] ?? "").length <= 22 && (m[1] + (m[2] ?? "")).replace(/^0+/, "").length <= 19;
}

/** Whether the text's exact value lies halfway between two neighbouring doubles. */
function isTie(text: string): boolean {
  const [whole, fraction = ""] = text.replace("-", "").split(".");
  const n = BigInt(whole + fraction || "0");
  const scale = 10n ** BigInt(fraction.length);
  const { m, e } = split(Math.abs(Number(text)));
  // text = n / scale; the midpoints are (2m ± 1) · 2^(e-1), and (4m - 1) · 2^(e-2) below a power of two.
  const halves: Array<[bigint, number]> = [[2n * m + 1n, e - 1], [2n * m - 1n, e - 1], [4n * m - 1n, e - 2]];
  return halves.some(([k, p]) => (p < 0 ? n << BigInt(-p) === k * scale : n === (k * scale) << BigInt(p)));
}

/**
 * Texts the fast path answered, those it gave back, those of them in its shape and not exact
 * ties (which it must answer), and the first disagreement with Number().
 */
function compare(texts: Iterable<string>) {
  let answered = 0;
  let declined = 0;
  let declinedNotTie = 0; // not ties
  let wrong: string | null = null;
  for (const text of texts) {
    // In place inside a longer text, as the reader calls it.
    const x = decimalAt(`,${text};`, 1, text.length + 1);
    if (Number.isNaN(x)) {
      declined++;
      if (inShape(text) && !isTie(text)) declinedNotTie++;
    } else {
      answered++;
      if (!Object.is(x, Number(text)) && wrong === null) wrong = `${text}: ${x} ≠ ${Number(text)}`;
    }
  }
  return { answered, declined, declinedNotTie, wrong };
}

/** The exact decimal expansion of m · 2^e (m, e integers). */
function exactDecimal(m: bigint, e: number): string {
  if (e >= 0) return (m << BigInt(e)).toString();
  const k = -e;
  const digits = (m * 5n ** BigInt(k)).toString().padStart(k + 1, "0");
  return `${digits.slice(0, -k)}.${digits.slice(-k)}`;
}

/** The text cut to `keep` significant digits (the point kept in place, trailing fraction digits dropped). */
function significant(text: string, keep: number): string {
  let seen = 0;
  let out = "";
  for (const c of text) {
    if (c === ".") {
      out += c;
      continue;
    }
    if (seen >= keep) {
      if (!out.includes(".")) out += "0";
      continue;
    }
    if (c !== "0" || seen > 0) seen++;
    out += c;
  }
  return out.endsWith(".") ? out.slice(0, -1) : out;
}

/** The text with 1 added to its last digit (carries included). */
function bumpLast(text: string): string {
  const chars = [...text];
  for (let i = chars.length - 1; i >= 0; i--) {
    if (chars[i] === ".") continue;
    if (chars[i] !== "9") {
      chars[i] = String(Number(chars[i]) + 1);
      return chars.join("");
    }
    chars[i] = "0";
  }
  return `1${chars.join("")}`;
}

describe("decimalInto: the reader's fast decimal parse", () => {
  it("agrees with Number() on the shortest forms of random doubles, and answers them all", () => {
    const rng = new Rng(7);
    const texts: string[] = [];
    for (let i = 0; i < 300_000; i++) {
      const x = (rng.random() - 0.5) * 10 ** (rng.int(12) - 5);
      const text = String(x);
      if (!text.includes("e")) texts.push(text);
    }
    const r = compare(texts);
    expect(r.wrong).toBeNull();
    expect(r.declined).toBe(0);
    expect(r.answered).toBeGreaterThan(250_000);
    expect(texts.every(inShape)).toBe(true);
  });

  it("agrees with Number() on fixed decimals, random digit strings, leading zeros and bare points", () => {
    const rng = new Rng(11);
    const texts: string[] = [];
    for (let i = 0; i < 200_000; i++) {
      const x = (rng.random() - 0.5) * 10 ** (rng.int(14) - 3);
      texts.push(x.toFixed(rng.int(21)), x.toPrecision(1 + rng.int(21)));
      let digits = "";
      for (let k = 1 + rng.int(24); k > 0; k--) digits += String(rng.int(10));
      const at = rng.int(digits.length + 1);
      texts.push(digits, `${digits.slice(0, at)}.${digits.slice(at)}`, `-${digits.slice(0, at)}.${digits.slice(at)}`, `000${digits}`);
    }
    texts.push("0", "-0", "0.0", "-0.000", "5.", ".5", "-.5", "00.5", "1234567890123456789", "9999999999999999999", "0.0000000000000000000001");
    const r = compare(texts);
    expect(r.wrong).toBeNull();
    expect(r.declinedNotTie).toBe(0);
    expect(r.answered).toBeGreaterThan(700_000);
  });

  it("agrees with Number() next to the points halfway between two doubles, where rounding is decided", () => {
    // Each midpoint's exact decimal, cut to 16–19 significant digits and one unit above that:
    // texts within 1e-19 of a tie, so the double-double error bound is what decides them.
    const rng = new Rng(13);
    const texts: string[] = [];
    for (let i = 0; i < 60_000; i++) {
      const x = 2 ** (rng.random() * 80 - 20) * (1 + rng.random());
      const { m, e } = split(x);
      // Above x, and below a power of two, where the gap to the next double down is half as wide.
      const power = split(2 ** Math.floor(Math.log2(x)));
      for (const mid of [exactDecimal(2n * m + 1n, e - 1), exactDecimal(4n * power.m - 1n, power.e - 2)]) {
        for (const keep of [16, 17, 18, 19]) {
          const cut = significant(mid, keep);
          texts.push(cut, bumpLast(cut));
        }
      }
    }
    const r = compare(texts);
    expect(r.wrong).toBeNull();
    // Near-ties would be declined, not guessed; at 1e-19 from a tie none is that near.
    expect(r.declinedNotTie).toBe(0);
    expect(r.answered).toBeGreaterThan(0.8 * texts.length);
  });

  it("declines exact ties (Number() rounds them to even) or answers them as Number() does", () => {
    const rng = new Rng(17);
    const texts: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const odd = 2n * BigInt(rng.int(1 << 30)) + 1n;
      texts.push((2n ** 53n + odd).toString()); // halfway between integers 2 apart
      texts.push(`${(2n ** 52n + BigInt(rng.int(1 << 30))).toString()}.5`); // halfway between neighbours 1 apart
      texts.push(((2n ** 60n + (2n * BigInt(rng.int(1 << 30)) + 1n) * 2n ** 7n)).toString()); // 19 digits, halfway
    }
    const r = compare(texts);
    expect(r.wrong).toBeNull();
    expect(r.declined).toBe(texts.length);
    expect(texts.every(isTie)).toBe(true);
  });

  it("gives every other shape back to Number()", () => {
    for (const text of ["", "-", ".", "-.", "..5", "0..5", "0.0.1", "+1", " 1", "1 ", "1e5", "1E5", "0x10", "1,5", "1..2", "--1", "Infinity", "NaN", "12345678901234567890", "0.00000000000000000000001"]) {
      expect(decimalAt(text, 0, text.length), text).toBeNaN();
    }
  });
});
