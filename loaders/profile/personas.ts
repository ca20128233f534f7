/**
 * Personas: each segment's name, key behaviours, value tier, churn risk, the segment type it is
 * richest in, and one recommended action from a documented rule table (ACTION_RULES). Names and
 * behaviours come only from real differences (|z| ≥ MIN_Z and means that differ), so a name never
 * contradicts the numbers beside it.
 */
import type { FeatureProfile } from "./profile.ts";
import type { CustomerTypes, SegmentTypeId, TypeShares } from "./segmentTypes.ts";
import { capitalise, featureWords, negation, type OneHotFeatures } from "./wording.ts";

/** A feature sets a segment apart when its mean is at least this many SDs from the overall mean. */
export const MIN_Z = 0.25;
/** A segment's value tier: mean value ≥ HIGH_VALUE × the overall mean is high, ≤ LOW_VALUE × is low. */
export const HIGH_VALUE = 1.25;
export const LOW_VALUE = 0.8;
/** A type is a segment's focus when its share there is ≥ FOCUS_SHARE and ≥ FOCUS_LIFT × overall. */
export const FOCUS_SHARE = 0.25;
export const FOCUS_LIFT = 1.5;
/** A segment is at risk when at least this share of it is likely to churn (or, like a focus type, FOCUS_SHARE and FOCUS_LIFT × the overall share). */
export const AT_RISK_SHARE = 0.5;

export type ValueTier = "high" | "mid" | "low";
export type Risk = "at risk" | "active";

export interface Behaviour {
  feature: string;
  words: string;
  /** Means are shares of customers (one-hot categories, 0/1 flags). */
  share: boolean;
  /** The feature is money spent on a category (read "more on wine"). */
  spend: boolean;
  direction: "higher" | "lower";
  mean: number;
  overall: number;
  z: number;
}

export interface Focus {
  type: SegmentTypeId;
  /** e.g. "wine lovers", "discount seekers". */
  words: string;
  share: number;
  overall: number;
  /** Category lovers: the category's words. */
  category: string | null;
}

export interface Persona {
  segment: number;
  name: string;
  behaviours: Behaviour[];
  tier: ValueTier | null;
  /** The segment's mean value ÷ the overall mean, and its share of all value. */
  valueIndex: number | null;
  valueShare: number | null;
  risk: Risk | null;
  /** What the risk was judged on: the share likely to churn (a model) or the observed churn rate. */
  riskBasis: { measure: "likely to churn" | "churn rate"; share: number; overall: number } | null;
  focus: Focus | null;
  /** The rule of ACTION_RULES that fired, and its action (with the focus filled in). */
  rule: string;
  action: string;
}

export interface PersonaInputs {
  profiles: FeatureProfile[][];
  sizes: number[];
  labels: Int32Array;
  types: CustomerTypes;
  shares: TypeShares;
  oneHot: OneHotFeatures;
  display: Record<string, string>;
  /** Profile features whose values are all 0 or 1. */
  binary?: ReadonlySet<string>;
  /** A churn outcome's observed rate per segment and overall: risk from what happened, not only from predictions. */
  churnRates?: { segments: Array<number | null>; overall: number } | null;
}

/**
 * The action rule table, first match wins. Documented in the README; `when` is what pages show.
 * `keeps` says which of several segments matching the same rule keeps it (the most valuable, the
 * least valuable, or the one richest in its focus type); the others take their next matching rule.
 */
type Fit = Pick<Persona, "tier" | "risk" | "focus" | "valueIndex">;
export const ACTION_RULES: Array<{ id: string; when: string; action: string; keeps: "most valuable" | "least valuable" | "richest in focus"; test: (p: Fit) => boolean }> = [
  { id: "onboard", when: "mostly new customers", action: "Onboard: welcome series and a first-repeat incentive within their first weeks.", keeps: "richest in focus", test: (p) => p.focus?.type === "new" },
  { id: "win-back", when: "high value and at risk", action: "Personal win-back: account-manager call or a tailored offer before they lapse.", keeps: "most valuable", test: (p) => p.tier === "high" && p.risk === "at risk" },
  { id: "vip", when: "high value and active", action: "VIP perks: early access, loyalty rewards and service; no discounts needed.", keeps: "most valuable", test: (p) => p.tier === "high" },
  { id: "exclude", when: "low value and lapsed or at risk", action: "Exclude from paid spend: newsletter only until they buy again.", keeps: "least valuable", test: (p) => p.tier === "low" && (p.risk === "at risk" || p.focus?.type === "inactive") },
  { id: "category", when: "category lovers", action: "Recommend in {category}: new arrivals, bundles and cross-sell within it.", keeps: "richest in focus", test: (p) => p.focus?.type === "categoryLover" },
  { id: "deals", when: "discount seekers", action: "Time-limited offers and deal alerts, with spend thresholds to protect margin.", keeps: "richest in focus", test: (p) => p.focus?.type === "discountSeeker" },
  { id: "reactivate", when: "at risk or inactive", action: "Retain and reactivate: a personal check-in and a modest time-limited incentive before they leave.", keeps: "most valuable", test: (p) => p.risk === "at risk" || p.focus?.type === "inactive" },
  { id: "grow", when: "low value and active", action: "Grow cheaply: bundles and free-shipping thresholds to lift basket size.", keeps: "most valuable", test: (p) => p.tier === "low" },
  { id: "cross-sell", when: "everyone else", action: "Cross-sell and upsell: recommend adjacent products to raise what they spend.", keeps: "most valuable", test: () => true }
];

const FOCUS_WORDS: Record<SegmentTypeId, string> = {
  highValue: "top spenders",
  churnRisk: "at-risk customers",
  categoryLover: "category lovers",
  discountSeeker: "discount seekers",
  new: "newcomers",
  inactive: "lapsed customers"
};

export function personas(input: PersonaInputs): Persona[] {
  const k = input.sizes.length;
  const { types } = input;
  const value = types.value;
  const overallValue = value ? mean(value.values, () => true) : NaN;
  const totalValue = value ? sum(value.values, () => true) : NaN;
  const out: Persona[] = [];
  for (let s = 0; s < k; s++) {
    const behaviours = behavioursOf(input.profiles[s], input);
    const segmentValue = value ? mean(value.values, (i) => input.labels[i] === s) : NaN;
    const valueIndex = value && overallValue > 0 ? segmentValue / overallValue : null;
    const tier: ValueTier | null = valueIndex === null ? null : valueIndex >= HIGH_VALUE ? "high" : valueIndex <= LOW_VALUE ? "low" : "mid";
    const { risk, riskBasis } = riskOf(s, input);
    const focus = focusOf(s, input);
    out.push({
      segment: s,
      name: "",
      behaviours,
      tier,
      valueIndex,
      valueShare: value && totalValue > 0 ? sum(value.values, (i) => input.labels[i] === s) / totalValue : null,
      risk,
      riskBasis,
      focus,
      rule: "",
      action: ""
    });
  }
  assignRules(out);
  nameAll(out);
  distinguishActions(out);
  return out;
}

/**
 * At risk when most of the segment is likely to churn, or when its share likely to churn (or its
 * observed churn rate) is at least FOCUS_SHARE and FOCUS_LIFT × the overall: a segment churning
 * at three times the base rate is at risk even at 30%. Judged on the model's share and, where the
 * outcome is churn, on what happened; either one is enough.
 */
function riskOf(s: number, { shares, churnRates }: PersonaInputs): Pick<Persona, "risk" | "riskBasis"> {
  const bases: NonNullable<Persona["riskBasis"]>[] = [];
  const predicted = shares.segments[s].churnRisk;
  if (predicted !== undefined) bases.push({ measure: "likely to churn", share: predicted, overall: shares.overall.churnRisk ?? 0 });
  const observed = churnRates?.segments[s];
  if (observed != null) bases.push({ measure: "churn rate", share: observed, overall: churnRates!.overall });
  if (!bases.length) return { risk: null, riskBasis: null };
  const atRisk = (b: (typeof bases)[number]) => b.share >= AT_RISK_SHARE || (b.share >= FOCUS_SHARE && b.share >= FOCUS_LIFT * b.overall);
  const fired = bases.find(atRisk);
  return fired ? { risk: "at risk", riskBasis: fired } : { risk: "active", riskBasis: bases[0] };
}

/**
 * Features that set the segment apart, largest difference first; never a zero difference. Of
 * features with the same means (one customer set coded twice, as InternetService=No and
 * DeviceProtection=No internet service) only the first is kept.
 */
function behavioursOf(profile: FeatureProfile[], input: PersonaInputs): Behaviour[] {
  const seen = new Set<string>();
  return profile
    .filter((f) => Math.abs(f.z) >= MIN_Z && Number.isFinite(f.mean) && Number(f.mean.toPrecision(2)) !== Number(f.overall.toPrecision(2)))
    .sort((a, b) => Math.abs(b.z) - Math.abs(a.z) || (a.feature < b.feature ? -1 : 1))
    .filter((f) => {
      const key = `${f.mean.toPrecision(6)}|${f.overall.toPrecision(6)}`;
      return !seen.has(key) && (seen.add(key), true);
    })
    .map((f) => {
      const w = featureWords(f.feature, input.oneHot, input.display, input.binary);
      return { feature: f.feature, words: w.words, share: w.share, spend: input.types.categories.some((c) => c.column === f.feature), direction: f.z > 0 ? "higher" : "lower", mean: f.mean, overall: f.overall, z: f.z };
    });
}

/** The type most over-represented in the segment, if it is common there and well above average. */
function focusOf(s: number, { shares, types }: PersonaInputs): Focus | null {
  const candidates: Focus[] = [];
  for (const t of types.types) {
    if (t.id === "highValue" || t.id === "churnRisk") continue; // carried by tier and risk
    if (t.id === "categoryLover" && shares.byCategory && shares.overallByCategory) {
      shares.byCategory[s].forEach((share, c) => {
        const label = types.categories[c].label;
        candidates.push({ type: t.id, words: `${label} lovers`, share, overall: shares.overallByCategory![c], category: label });
      });
      continue;
    }
    candidates.push({ type: t.id, words: FOCUS_WORDS[t.id], share: shares.segments[s][t.id] ?? 0, overall: shares.overall[t.id] ?? 0, category: null });
  }
  const lift = (f: Focus) => (f.overall > 0 ? f.share / f.overall : 0);
  return candidates.filter((f) => f.share >= FOCUS_SHARE && lift(f) >= FOCUS_LIFT).sort((a, b) => lift(b) - lift(a) || b.share - a.share)[0] ?? null;
}

/** Names by value tier and churn risk, for segments without a focus type. */
const TIER_RISK_NAMES: Record<ValueTier, Record<Risk, string>> = {
  high: { active: "Loyal high spenders", "at risk": "High spenders at risk" },
  mid: { active: "Steady customers", "at risk": "Fading customers" },
  low: { active: "Occasional low spenders", "at risk": "At-risk low spenders" }
};

/**
 * Names, from what the numbers show: "<tier>-value <focus>" ("High-value wine lovers"); else by
 * tier and risk ("High spenders at risk"); else tier and the top behaviour ("High-value
 * customers, more on milk products"); else the top behaviours. RFM names are not used: the
 * most common RFM cell of a segment can say "Loyal" of customers the value model calls lapsed.
 * Segments sharing a name are told apart by their first behaviour that differs, then by number.
 */
function nameAll(out: Persona[]): void {
  for (const p of out) {
    if (p.focus) p.name = capitalise(`${p.tier ? `${p.tier}-value ` : ""}${p.focus.words}`);
    else if (p.tier && p.risk) p.name = TIER_RISK_NAMES[p.tier][p.risk];
    else if (p.risk === "at risk") p.name = capitalise(`at-risk customers${p.behaviours.length ? `, ${phrase(p.behaviours[0])}` : ""}`);
    else if (p.behaviours.length) p.name = capitalise(`${p.tier ? `${p.tier}-value customers, ` : ""}${p.behaviours.slice(0, p.tier ? 1 : 2).map(phrase).join(", ")}`);
    else p.name = p.tier ? capitalise(`${p.tier}-value customers`) : "Typical customers";
  }
  const groups = new Map<string, Persona[]>();
  for (const p of out) groups.set(p.name, [...(groups.get(p.name) ?? []), p]);
  for (const [name, group] of groups) {
    if (group.length < 2) continue;
    const used = new Set<string>();
    for (const p of group) {
      const own = p.behaviours.find((b) => !name.toLowerCase().includes(b.words) && !used.has(phrase(b)) && !group.some((q) => q !== p && q.behaviours.slice(0, 3).some((x) => phrase(x) === phrase(b))));
      if (own) {
        used.add(phrase(own));
        p.name = `${name}, ${phrase(own)}`;
      }
    }
  }
  const seen = new Map<string, number>();
  const total = new Map<string, number>();
  for (const p of out) total.set(p.name, (total.get(p.name) ?? 0) + 1);
  for (const p of out) {
    if (total.get(p.name) === 1) continue;
    const i = (seen.get(p.name) ?? 0) + 1;
    seen.set(p.name, i);
    p.name = `${p.name} (${i})`;
  }
}

/** "higher income", "more on wine", "mostly month-to-month contract", "more web purchases". */
function phrase(b: Behaviour): string {
  const more = b.direction === "higher";
  if (b.spend) return `${more ? "more" : "less"} on ${b.words}`;
  // A share: "mostly X" / "more often X" above average; below, said as the opposite when it reads
  // better ("with internet service", not "rarely no internet service").
  if (b.share) {
    if (more) return `${b.mean >= 0.5 ? "mostly" : "more often"} ${b.words}`;
    const opposite = negation(b.words);
    return opposite.startsWith("not ") ? `${b.mean < 0.05 ? "almost never" : "less often"} ${b.words}` : `${1 - b.mean >= 0.5 ? "mostly" : "more often"} ${opposite}`;
  }
  // Counts read "more purchases", "fewer children at home"; amounts "higher income".
  const counted = /\b(?!charges\b)\w+s\b|\bchildren\b|\bpeople\b/.test(b.words);
  return counted ? `${more ? "more" : "fewer"} ${b.words}` : `${b.direction} ${b.words}`;
}

/**
 * Each segment's first matching rule; where several segments match the same rule, the one it fits
 * best (`keeps`) keeps it and the others move to their next matching rule, until no two share a
 * rule or a segment has no rule left. Picks only move forward, so this ends.
 */
function assignRules(out: Persona[]): void {
  const options = out.map((p) => ACTION_RULES.filter((r) => r.test(p)));
  const pick = out.map(() => 0);
  const fit = (rule: (typeof ACTION_RULES)[number], p: Persona) =>
    rule.keeps === "richest in focus" ? (p.focus?.share ?? 0) : rule.keeps === "least valuable" ? -(p.valueIndex ?? 0) : (p.valueIndex ?? 0);
  for (let changed = true; changed; ) {
    changed = false;
    const byRule = new Map<string, number[]>();
    out.forEach((_, i) => byRule.set(options[i][pick[i]].id, [...(byRule.get(options[i][pick[i]].id) ?? []), i]));
    for (const members of byRule.values()) {
      if (members.length < 2) continue;
      const rule = options[members[0]][pick[members[0]]];
      const [, ...others] = [...members].sort((a, b) => fit(rule, out[b]) - fit(rule, out[a]) || a - b);
      for (const i of others) {
        if (pick[i] + 1 < options[i].length) {
          pick[i]++;
          changed = true;
        }
      }
    }
  }
  out.forEach((p, i) => {
    const rule = options[i][pick[i]];
    p.rule = rule.id;
    p.action = rule.action.replace("{category}", p.focus?.category ?? "their favourite category");
  });
}

/**
 * Segments whose rule gave the same action get it aimed by what sets each apart, then (if two
 * still match) addressed by name, so no two segments are told to do the same thing.
 */
function distinguishActions(out: Persona[]): void {
  const duplicates = () => {
    const count = new Map<string, number>();
    for (const p of out) count.set(p.action, (count.get(p.action) ?? 0) + 1);
    return out.filter((p) => count.get(p.action)! > 1);
  };
  for (const p of duplicates()) {
    const lead = p.behaviours.find((b) => b.direction === "higher") ?? p.behaviours[0];
    if (lead) p.action = `${p.action.replace(/\.$/, "")}, tailored to what sets them apart (${phrase(lead)}).`;
  }
  for (const p of duplicates()) p.action = `${p.action.replace(/\.$/, "")} (${p.name}).`;
}

function mean(values: Float64Array, keep: (i: number) => boolean): number {
  let s = 0;
  let c = 0;
  for (let i = 0; i < values.length; i++) {
    if (keep(i) && Number.isFinite(values[i])) {
      s += values[i];
      c++;
    }
  }
  return c ? s / c : NaN;
}

function sum(values: Float64Array, keep: (i: number) => boolean): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) if (keep(i) && Number.isFinite(values[i])) s += values[i];
  return s;
}
