import { describe, expect, it } from "vitest";
import { ACTION_RULES, personas, type PersonaInputs } from "../loaders/profile/personas.ts";
import { customerTypes, quantile, typeShares, type TypeInputs } from "../loaders/profile/segmentTypes.ts";
import { columnWords, featureWords, negation, oneHotFeatures } from "../loaders/profile/wording.ts";
import type { FeatureProfile } from "../loaders/profile/profile.ts";

const f64 = (xs: number[]) => Float64Array.from(xs);
const noTypes = (n: number): TypeInputs => ({ n, kind: "customers", profile: {}, tags: {}, display: (c) => c, clv: null, pAlive: null, churnProbability: null });

describe("wording", () => {
  it("spells columns and one-hot categories in words, never as Column=Value", () => {
    expect(columnWords("Detergents_Paper")).toBe("detergents paper");
    expect(columnWords("NumWebPurchases")).toBe("num web purchases");
    expect(columnWords("MntWines", { MntWines: "wine" })).toBe("wine");
    const hot = oneHotFeatures([
      { column: "InternetService", categories: ["DSL", "Fiber optic", "No internet service"] },
      { column: "DeviceProtection", categories: ["No", "Yes"] },
      { column: "Partner", categories: ["Yes", "No"] },
      { column: "Contract", categories: ["Month-to-month", "One year"] },
      { column: "Region", categories: ["1", "2", "3"] }
    ]);
    expect(featureWords("InternetService=No internet service", hot).words).toBe("no internet service");
    expect(featureWords("DeviceProtection=No", hot).words).toBe("without device protection");
    expect(featureWords("Partner=Yes", hot).words).toBe("with partner");
    expect(featureWords("Contract=Month-to-month", hot)).toEqual({ words: "month-to-month contract", share: true });
    expect(featureWords("Region=3", hot).words).toBe("region 3");
    // 1 of a column coded 1, 2, 3 is a region, not a yes.
    expect(featureWords("Region=1", hot).words).toBe("region 1");
    expect(featureWords("Income", hot)).toEqual({ words: "income", share: false });
    expect(featureWords("InternetService=DSL", hot).words).toBe("DSL internet service"); // acronyms keep their case
  });

  it("says the opposite of a category without a double negative", () => {
    expect(negation("no internet service")).toBe("with internet service");
    expect(negation("without device protection")).toBe("with device protection");
    expect(negation("with partner")).toBe("without partner");
    expect(negation("month-to-month contract")).toBe("not month-to-month contract");
  });
});

describe("segment types", () => {
  it("flags each type by its documented rule (worked by hand on ten customers)", () => {
    // spend: customer i spends i+1 on wine; customers 0–4 spend 10 on meat, 5–9 nothing.
    const wine = f64([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const meat = f64([10, 10, 10, 10, 10, 0, 0, 0, 0, 0]);
    const t = customerTypes({
      ...noTypes(10),
      profile: {
        wine,
        meat,
        deals: f64([0, 0, 0, 0, 0, 0, 0, 0, 5, 9]),
        purchases: f64([10, 10, 10, 10, 10, 10, 10, 10, 10, 10]),
        recency: f64([5, 5, 5, 5, 5, 5, 5, 5, 200, 300]),
        interval: f64([2, 30, 30, 30, 30, 30, 30, 30, 80, 200]),
        "days since joined": f64([10, 100, 200, 300, 400, 500, 600, 700, 800, 900])
      },
      tags: { wine: "spend", meat: "spend", deals: "deals", purchases: "purchases", recency: "recency", interval: "interval", joined: "signup" },
      display: (c) => c
    });
    const flags = (id: string) => Array.from(t.flags[id as "new"]!).flatMap((v, i) => (v ? [i] : []));
    // Total spend 11,12,13,14,15,6,7,8,9,10: the top 20% cut is the 0.8 quantile = 13.2 → customers 3, 4.
    expect(quantile(f64([11, 12, 13, 14, 15, 6, 7, 8, 9, 10]), 0.8)).toBeCloseTo(13.2, 12);
    expect(flags("highValue")).toEqual([3, 4]);
    // Meat ≥ 50% of spend for 0–4 (10 of 11..15); wine is 100% for 5–9.
    expect(flags("categoryLover")).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(Array.from(t.category!)).toEqual([1, 1, 1, 1, 1, 0, 0, 0, 0, 0]);
    // Deal share 0 … 0.5, 0.9: the 80th percentile is 0, so customers 8 and 9.
    expect(flags("discountSeeker")).toEqual([8, 9]);
    expect(flags("new")).toEqual([0]);
    expect(flags("inactive")).toEqual([8, 9]);
    // Churn when recency > 2 × the usual interval: customer 0: 5 > 4; customer 8: 200 > 160;
    // customer 9: 300 ≤ 400 is not.
    expect(flags("churnRisk")).toEqual([0, 8]);
    const shares = typeShares(t, Int32Array.from([0, 0, 0, 0, 0, 1, 1, 1, 1, 1]), 2);
    expect(shares.segments[1].inactive).toBe(0.4);
    expect(shares.overall.inactive).toBe(0.2);
    expect(shares.byCategory![0]).toEqual([0, 1]);
  });

  it("uses P(alive) and CLV where the value models ran, and says which types it cannot compute", () => {
    const t = customerTypes({ ...noTypes(4), clv: f64([1, 2, 3, NaN]), pAlive: f64([0.9, 0.4, 0.6, NaN]) });
    expect(t.value?.measure).toBe("predicted CLV");
    expect(Array.from(t.flags.churnRisk!)).toEqual([0, 1, 0, 0]);
    expect(t.unavailable.map((u) => u.id)).toEqual(["categoryLover", "discountSeeker", "new", "inactive"]);
  });
});

describe("personas: names and actions", () => {
  const profile = (z: Record<string, number>): FeatureProfile[] => Object.entries(z).map(([feature, v]) => ({ feature, mean: 10 + v, overall: 10, z: v }));
  /** Three segments of ten customers: value 30, 10, 2 per customer; churn in segment 2 only. */
  function inputs(z: Array<Record<string, number>>, churn = [0, 0, 1]): PersonaInputs {
    const labels = Int32Array.from({ length: 30 }, (_, i) => Math.floor(i / 10));
    const types = customerTypes({ ...noTypes(30), clv: Float64Array.from(labels, (l) => [30, 10, 2][l]), pAlive: Float64Array.from(labels, (l) => (churn[l] ? 0.2 : 0.9)) });
    return { profiles: z.map(profile), sizes: [10, 10, 10], labels, types, shares: typeShares(types, labels, 3), oneHot: new Map(), display: {} };
  }

  it("gives every segment a name that matches its value and risk, and a different action", () => {
    const p = personas(inputs([{ income: 1 }, { visits: -1 }, { income: -1 }]));
    // Mean value 14: 30/14 = 2.1× (high), 10/14 = 0.71× (low), 2/14 (low, at risk).
    expect(p.map((x) => x.tier)).toEqual(["high", "low", "low"]);
    expect(p.map((x) => x.risk)).toEqual(["active", "active", "at risk"]);
    expect(p.map((x) => x.name)).toEqual(["Loyal high spenders", "Occasional low spenders", "At-risk low spenders"]);
    expect(p.map((x) => x.rule)).toEqual(["vip", "grow", "exclude"]);
    expect(new Set(p.map((x) => x.action)).size).toBe(3);
  });

  it("names a segment short of a category by its opposite ('mostly with internet service', not 'rarely no internet service')", () => {
    const labels = Int32Array.from({ length: 30 }, (_, i) => Math.floor(i / 10));
    const types = customerTypes(noTypes(30));
    const none = { feature: "InternetService=No internet service", mean: 0, overall: 0.3, z: -0.65 };
    const oneHot = oneHotFeatures([{ column: "InternetService", categories: ["DSL", "No internet service"] }]);
    const p = personas({ profiles: [[none], [{ ...none, mean: 0.9, z: 1.3 }], [{ ...none, mean: 0.3, z: 0 }]], sizes: [10, 10, 10], labels, types, shares: typeShares(types, labels, 3), oneHot, display: {} });
    expect(p[0].name).toBe("Mostly with internet service");
    expect(p[1].name).toBe("Mostly no internet service");
  });

  it("never builds a name or a behaviour from a zero difference", () => {
    const p = personas(inputs([{ income: 0.1, gender: 0 }, { income: 0 }, { income: -0.2 }]));
    for (const x of p) expect(x.behaviours).toEqual([]);
    expect(p.map((x) => x.name).join(" ")).not.toMatch(/income|gender/);
  });

  it("tells apart segments that would share a name", () => {
    const p = personas(inputs([{ income: 1 }, { visits: 1, income: -0.5 }, { income: 1, visits: -2 }], [0, 0, 0]));
    expect(p[1].name).toBe("Occasional low spenders, more visits");
    expect(p[2].name).toBe("Occasional low spenders, fewer visits");
    expect(new Set(p.map((x) => x.name)).size).toBe(3);
  });

  it("gives a shared rule to the segment it fits best and the next matching rule to the others", () => {
    // Segments 1 and 2 are both low value and at risk: the least valuable (2) keeps "exclude",
    // segment 1 (0.71×) is reactivated instead.
    const p = personas(inputs([{ income: 1 }, { visits: 1 }, { visits: -1 }], [0, 1, 1]));
    expect(p.map((x) => x.rule)).toEqual(["vip", "reactivate", "exclude"]);
  });

  it("aims an action at what sets each segment apart when the rules run out", () => {
    // Three equally valuable active segments: one VIP, the others share the catch-all.
    const labels = Int32Array.from({ length: 30 }, (_, i) => Math.floor(i / 10));
    const types = customerTypes({ ...noTypes(30), clv: Float64Array.from(labels, () => 5), pAlive: Float64Array.from(labels, () => 0.9) });
    const p = personas({ profiles: [profile({ a: 1 }), profile({ b: 1 }), profile({ c: 1 })], sizes: [10, 10, 10], labels, types, shares: typeShares(types, labels, 3), oneHot: new Map(), display: {} });
    expect(p.map((x) => x.rule)).toEqual(["cross-sell", "cross-sell", "cross-sell"]);
    expect(p.map((x) => x.action.match(/tailored to what sets them apart \((.*)\)\./)?.[1])).toEqual(["higher a", "higher b", "higher c"]);
  });

  it("calls a segment at risk when its observed churn rate is well above the base, and names it so", () => {
    // No value measure; a churn outcome with rates 45%, 5%, 10% against 16% overall.
    const labels = Int32Array.from({ length: 30 }, (_, i) => Math.floor(i / 10));
    const types = customerTypes({ ...noTypes(30), churnProbability: new Float64Array(30).fill(0.2) });
    const p = personas({ profiles: [profile({ charges: 1 }), profile({ tenure: 1 }), profile({ tenure: -1 })], sizes: [10, 10, 10], labels, types, shares: typeShares(types, labels, 3), oneHot: new Map(), display: {}, churnRates: { segments: [0.45, 0.05, 0.1], overall: 0.16 } });
    expect(p.map((x) => x.risk)).toEqual(["at risk", "active", "active"]);
    expect(p[0].name).toBe("At-risk customers, higher charges");
    expect(p[0].riskBasis).toEqual({ measure: "churn rate", share: 0.45, overall: 0.16 });
    expect(p[0].rule).toBe("reactivate");
  });

  it("has a rule for every case, ending in a catch-all", () => {
    expect(ACTION_RULES.at(-1)!.test({ tier: null, risk: null, focus: null, valueIndex: null })).toBe(true);
    expect(new Set(ACTION_RULES.map((r) => r.action)).size).toBe(ACTION_RULES.length);
  });
});
