/** The commands' JSON writer (loaders/cli/jsonText.ts) against JSON.stringify, the reference. */
import { describe, expect, it } from "vitest";
import { jsonText } from "../loaders/cli/jsonText.ts";
import { Rng } from "../loaders/rng.ts";

/** What JSON.stringify is given for the same output: Int32Arrays as plain arrays. */
function asPlain(v: unknown): unknown {
  if (v instanceof Int32Array) return Array.from(v);
  if (Array.isArray(v)) return v.map(asPlain);
  if (v !== null && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, asPlain(x)]));
  }
  return v;
}

describe("jsonText", () => {
  it("writes what JSON.stringify writes, Int32Arrays as arrays, on random nested output", () => {
    const rng = new Rng(31);
    const int = () => (rng.random() < 0.1 ? [0, -0, 2147483647, -2147483648, -1][rng.int(5)] : rng.int(2000001) - 1000000);
    const leaf = (): unknown =>
      [
        () => int(),
        () => rng.normal() * 1e3,
        () => NaN,
        () => `id "${rng.int(99)}"\n\u00e9\u2028`,
        () => null,
        () => undefined,
        () => true,
        () => new Date(Date.UTC(2020, 0, 1 + rng.int(300))),
        () => () => 1
      ][rng.int(9)]();
    const value = (depth: number): unknown => {
      const kind = depth > 3 ? 0 : rng.int(5);
      if (kind === 0) return leaf();
      if (kind === 1) return Int32Array.from({ length: rng.int(200) }, int);
      if (kind === 2) return Array.from({ length: rng.int(150) }, int); // long ones take the fast path
      if (kind === 3) return Array.from({ length: rng.int(6) }, () => value(depth + 1));
      return Object.fromEntries(Array.from({ length: rng.int(6) }, (_, i) => [rng.random() < 0.2 ? String(i) : `k${i}`, value(depth + 1)]));
    };
    for (let trial = 0; trial < 400; trial++) {
      const v = value(0);
      expect(jsonText({ v })).toBe(JSON.stringify({ v: asPlain(v) }));
    }
  });

  it("walks as JSON.stringify does: holes as null, toJSON called with its key and its undefined left out, cycles refused", () => {
    const holes = [1, , 3];
    const longWithHole = Array.from({ length: 100 }, (_, i) => i);
    delete longWithHole[1];
    const listWithToJSON = Object.assign([1, 2], { toJSON: () => "list" });
    const cases: object[] = [
      { holes, longWithHole },
      { a: { toJSON: () => undefined }, b: 1 },
      { a: { toJSON: (key: string) => `key=${key}` }, list: [{ toJSON: (key: string) => `at ${key}` }] },
      { listWithToJSON },
      { date: new Date(Date.UTC(2024, 0, 2)), none: Object.create(null), nested: { f: () => 1, s: Symbol("x"), u: undefined } }
    ];
    for (const c of cases) expect(jsonText(c)).toBe(JSON.stringify(c));
    const cycle: Record<string, unknown> = { a: 1 };
    cycle.self = { back: cycle };
    expect(() => jsonText(cycle)).toThrow(TypeError);
  });

  it("leaves an array with anything but 32-bit integers to JSON.stringify", () => {
    const ints = Array.from({ length: 100 }, (_, i) => i);
    for (const odd of [0.5, 2 ** 31, -(2 ** 31) - 1, NaN, "7", null]) {
      const xs = [...ints, odd];
      expect(jsonText({ xs })).toBe(JSON.stringify({ xs }));
    }
  });
});
