/**
 * Segment types: the customer groups marketers ask for by name — high value, likely to churn,
 * category lovers, discount seekers, new, inactive — flagged per customer beside the clusters.
 * A customer can be of several types or none. Each type is computed only where the data has what
 * it needs (a transaction log's purchases and value models; a customer table's tagged columns,
 * manifest/types.ts ColumnTag); otherwise it is listed as unavailable with the reason.
 */
import { DEFAULT_SEGMENT_TYPES } from "../manifest/defaults.ts";
import type { ColumnTag, SegmentTypeOptions } from "../manifest/types.ts";

export type SegmentTypeId = "highValue" | "churnRisk" | "categoryLover" | "discountSeeker" | "new" | "inactive";

export const TYPE_LABELS: Record<SegmentTypeId, string> = {
  highValue: "High value",
  churnRisk: "Likely to churn",
  categoryLover: "Category lovers",
  discountSeeker: "Discount seekers",
  new: "New",
  inactive: "Inactive"
};

export interface TypeDefinition {
  id: SegmentTypeId;
  label: string;
  /** The rule with its threshold and what it was computed from, e.g. "top 20% by predicted CLV". */
  rule: string;
  /** Customers of this type. */
  customers: number;
}

export interface CustomerTypes {
  types: TypeDefinition[];
  /** Per available type, 1 where the customer is of that type. */
  flags: Partial<Record<SegmentTypeId, Uint8Array>>;
  /** Category lovers: per customer, the index of the category in `categories`, else -1. */
  category: Int16Array | null;
  categories: Array<{ column: string; label: string }>;
  /** What "value" means here and each customer's value (NaN where unknown), or null. */
  value: { measure: string; values: Float64Array } | null;
  /** Types the data cannot support, with the reason. */
  unavailable: Array<{ id: SegmentTypeId; label: string; why: string }>;
}

export interface TypeInputs {
  n: number;
  kind: "customers" | "transactions";
  /** Prepared profile columns in original units (prepare.ts PreparedData.profile). */
  profile: Record<string, Float64Array>;
  /** Customer tables: what tagged columns measure. */
  tags: Record<string, ColumnTag>;
  /** The words for a column. */
  display: (column: string) => string;
  /** Transaction logs: predicted CLV and P(alive) per customer (NaN where not modelled). */
  clv: Float64Array | null;
  pAlive: Float64Array | null;
  /** Customer tables whose outcome is churn: each customer's predicted probability (NaN unknown). */
  churnProbability: Float64Array | null;
  options?: Partial<SegmentTypeOptions>;
}

export function customerTypes(input: TypeInputs): CustomerTypes {
  const o = { ...DEFAULT_SEGMENT_TYPES, ...input.options };
  const { n, profile } = input;
  const tagged = (tag: ColumnTag) => Object.keys(input.tags).filter((c) => input.tags[c] === tag && profileKey(c, tag) in profile);
  const out: CustomerTypes = { types: [], flags: {}, category: null, categories: [], value: null, unavailable: [] };
  const add = (id: SegmentTypeId, rule: string, flag: Uint8Array) => {
    out.types.push({ id, label: TYPE_LABELS[id], rule, customers: flag.reduce((a, b) => a + b, 0) });
    out.flags[id] = flag;
  };
  const skip = (id: SegmentTypeId, why: string) => out.unavailable.push({ id, label: TYPE_LABELS[id], why });
  const pct = (x: number) => `${+(x * 100).toFixed(1)}%`;
  const isLog = input.kind === "transactions";
  const spend = tagged("spend");

  // High value: CLV where the value models ran, else what the customer spent.
  const value = input.clv && input.clv.some(Number.isFinite)
    ? { measure: "predicted CLV", values: input.clv }
    : isLog
      ? { measure: "spend", values: profile.monetary }
      : spend.length
        ? { measure: spend.length === 1 ? input.display(spend[0]) : "spend", values: sumColumns(profile, spend, n) }
        : null;
  out.value = value;
  if (value) {
    const cut = quantile(value.values, 1 - o.highValueShare);
    add("highValue", `top ${pct(o.highValueShare)} by ${value.measure} (${value.measure} ≥ ${round(cut)})`, flags(n, (i) => value.values[i] >= cut && value.values[i] > 0));
  } else skip("highValue", 'no value measure: a transaction log, or columns with the role "spend"');

  // Likely to churn: a model's probability where there is one, else the purchase rhythm.
  if (input.pAlive && input.pAlive.some(Number.isFinite)) {
    const p = input.pAlive;
    add("churnRisk", `P(alive) below ${o.aliveBelow} (value model)`, flags(n, (i) => p[i] < o.aliveBelow));
  } else if (input.churnProbability) {
    const p = input.churnProbability;
    add("churnRisk", `predicted churn probability ≥ ${o.churnAtLeast} (outcome model)`, flags(n, (i) => p[i] >= o.churnAtLeast));
  } else {
    const rhythm = purchaseRhythm(input, tagged);
    if (rhythm) {
      add("churnRisk", `no purchase for more than ${o.churnIntervals} × the customer's usual interval between purchases (${rhythm.source})`, flags(n, (i) => rhythm.recency[i] > o.churnIntervals * rhythm.interval[i]));
    } else skip("churnRisk", 'needs P(alive) (a transaction log), an outcome column with "churn": true, or columns with the roles "recency" and "interval"');
  }

  // Category lovers: most of the spend in one category.
  if (spend.length >= 2) {
    const total = sumColumns(profile, spend, n);
    const category = new Int16Array(n).fill(-1);
    for (let i = 0; i < n; i++) {
      if (!(total[i] > 0)) continue;
      let best = -1;
      for (let j = 0; j < spend.length; j++) if (profile[spend[j]][i] >= o.categoryShare * total[i] && (best < 0 || profile[spend[j]][i] > profile[spend[best]][i])) best = j;
      category[i] = best;
    }
    out.category = category;
    out.categories = spend.map((column) => ({ column, label: input.display(column) }));
    add("categoryLover", `at least ${pct(o.categoryShare)} of spend in one category`, flags(n, (i) => category[i] >= 0));
  } else skip("categoryLover", 'needs two or more columns with the role "spend"');

  // Discount seekers: deal share (deals / purchases) or offer acceptance in the top tail.
  const deals = tagged("deals");
  const offers = tagged("offers");
  if (deals.length || offers.length) {
    const purchases = tagged("purchases");
    const dealShare = deals.length ? ratio(sumColumns(profile, deals, n), purchases.length ? sumColumns(profile, purchases, n) : null) : null;
    const offerShare = offers.length ? ratio(sumColumns(profile, offers, n), null, offers.length) : null;
    const dealCut = dealShare ? quantile(dealShare, o.discountPercentile) : Infinity;
    const offerCut = offerShare ? quantile(offerShare, o.discountPercentile) : Infinity;
    const parts = [
      dealShare ? `${purchases.length ? "share of purchases made with a deal" : "deal purchases"} above ${round(dealCut)}` : "",
      offerShare ? `share of offers accepted above ${round(offerCut)}` : ""
    ].filter(Boolean);
    add("discountSeeker", `${parts.join(", or ")} (the ${Math.round(o.discountPercentile * 100)}th percentile)`, flags(n, (i) => (dealShare ? dealShare[i] > dealCut : false) || (offerShare ? offerShare[i] > offerCut : false)));
  } else skip("discountSeeker", 'needs columns with the role "deals" or "offers"');

  // New and inactive: days since joining (first purchase) and since the last purchase.
  const signup = tagged("signup").map((c) => profileKey(c, "signup"))[0];
  const tenure = isLog ? profile.tenure : signup ? profile[signup] : null;
  if (tenure) {
    add("new", `${isLog ? "first purchase" : "joined"} fewer than ${o.newDays} days before ${isLog ? "the snapshot" : "the latest join date"}`, flags(n, (i) => tenure[i] < o.newDays));
  } else skip("new", 'needs a transaction log or a date column with the role "signup"');
  const recency = isLog ? profile.recency : tagged("recency").map((c) => profile[c])[0];
  if (recency) add("inactive", `no purchase for ${o.inactiveDays} days or more`, flags(n, (i) => recency[i] >= o.inactiveDays));
  else skip("inactive", 'needs a transaction log or a column with the role "recency" (days since the last purchase)');
  return out;
}

/**
 * Recency and the usual gap between purchases. Logs: the customer's mean gap, or for one-time
 * buyers (who have none) the median gap of repeat buyers. Tables: the columns tagged "recency"
 * and "interval". Not estimated from tenure ÷ purchases: that makes every frequent buyer and
 * every newcomer look overdue whatever their recency.
 */
function purchaseRhythm(input: TypeInputs, tagged: (tag: ColumnTag) => string[]): { recency: Float64Array; interval: Float64Array; source: string } | null {
  const { profile } = input;
  if (input.kind === "transactions") {
    const repeatGaps = Float64Array.from(profile.meanInterPurchaseDays.filter((_, i) => profile.frequency[i] > 1));
    const typical = repeatGaps.length ? quantile(repeatGaps, 0.5) : NaN;
    const interval = profile.meanInterPurchaseDays.map((g, i) => (profile.frequency[i] > 1 ? g : typical));
    return { recency: profile.recency, interval, source: "one-time buyers: the median gap of repeat buyers" };
  }
  const recency = tagged("recency").map((c) => profile[c])[0];
  const interval = tagged("interval").map((c) => profile[c])[0];
  return recency && interval ? { recency, interval, source: `${input.display(tagged("recency")[0])} against ${input.display(tagged("interval")[0])}` } : null;
}

/** Where a tagged column is in the prepared profile: dates as "days since <col>" (prepare.ts). */
function profileKey(column: string, tag: ColumnTag): string {
  return tag === "signup" ? `days since ${column}` : column;
}

function flags(n: number, test: (i: number) => boolean): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = test(i) ? 1 : 0;
  return out;
}

function sumColumns(profile: Record<string, Float64Array>, columns: string[], n: number): Float64Array {
  const out = new Float64Array(n);
  for (const c of columns) for (let i = 0; i < n; i++) out[i] += profile[c][i];
  return out;
}

/** a / b, or a / constant; NaN where the base is 0 or missing. */
function ratio(a: Float64Array, b: Float64Array | null, constant = 1): Float64Array {
  return a.map((x, i) => {
    const base = b ? b[i] : constant;
    return base > 0 ? x / base : NaN;
  });
}

/** The q-quantile of the finite values (linear interpolation, as numpy's default). */
export function quantile(values: ArrayLike<number>, q: number): number {
  const v = Float64Array.from(values).filter(Number.isFinite).sort();
  if (!v.length) return NaN;
  const pos = q * (v.length - 1);
  const lo = Math.floor(pos);
  return lo + 1 < v.length ? v[lo] + (pos - lo) * (v[lo + 1] - v[lo]) : v[lo];
}

function round(x: number): number {
  return Number(x.toPrecision(3));
}

/** Share of each type in each segment and overall; category lovers also by category. */
export interface TypeShares {
  /** shares[segment][type id] */
  segments: Array<Partial<Record<SegmentTypeId, number>>>;
  overall: Partial<Record<SegmentTypeId, number>>;
  /** byCategory[segment][category index]: share of the segment loving that category. */
  byCategory: number[][] | null;
  overallByCategory: number[] | null;
}

export function typeShares(types: CustomerTypes, labels: Int32Array, k: number): TypeShares {
  const size = new Float64Array(k);
  for (const l of labels) if (l >= 0) size[l]++;
  const n = labels.length;
  const share = (flag: (i: number) => boolean) => {
    const bySegment = new Float64Array(k);
    let all = 0;
    for (let i = 0; i < n; i++) {
      if (!flag(i)) continue;
      all++;
      if (labels[i] >= 0) bySegment[labels[i]]++;
    }
    return { bySegment: Array.from(bySegment, (c, s) => (size[s] ? c / size[s] : 0)), overall: n ? all / n : 0 };
  };
  const segments: TypeShares["segments"] = Array.from({ length: k }, () => ({}));
  const overall: TypeShares["overall"] = {};
  for (const t of types.types) {
    const f = types.flags[t.id]!;
    const s = share((i) => f[i] === 1);
    s.bySegment.forEach((x, j) => (segments[j][t.id] = x));
    overall[t.id] = s.overall;
  }
  const category = types.category;
  const perCategory = category ? types.categories.map((_, c) => share((i) => category[i] === c)) : null;
  return {
    segments,
    overall,
    byCategory: perCategory ? Array.from({ length: k }, (_, s) => perCategory.map((p) => p.bySegment[s])) : null,
    overallByCategory: perCategory ? perCategory.map((p) => p.overall) : null
  };
}
