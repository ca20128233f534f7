import { DEFAULT_SEGMENT_TYPES } from "../manifest/defaults.ts";
import { segmentOutcomes } from "../outcome/wilson.ts";
import { cachedSummaries } from "../personas/cache.ts";
import { personaInput } from "../personas/inputs.ts";
import { ACTION_RULES, AT_RISK_SHARE, FOCUS_LIFT, FOCUS_SHARE, HIGH_VALUE, LOW_VALUE, MIN_Z, type Behaviour } from "../profile/personas.ts";
import { columnWords } from "../profile/wording.ts";
import type { Analysis } from "./analyze.ts";
import type { BehaviourJson, PersonasFile, ResponseRates } from "./contract.ts";
import { sig, sigDeep } from "./display.ts";
import { segmentWorth } from "./value.ts";

/** Behaviours a persona row lists. */
export const PERSONA_BEHAVIOURS = 4;

/** Personas page: the personas table, the segment types, campaign response by segment. */
export function personasFile(a: Analysis): PersonasFile {
  const s = a.segmentation;
  const n = s.labels.length;
  const summaries = cachedSummaries(personaInput(a));
  const { types, typeShares: shares } = s;
  return {
    settings: {
      minZ: MIN_Z,
      highValue: HIGH_VALUE,
      lowValue: LOW_VALUE,
      focusShare: FOCUS_SHARE,
      focusLift: FOCUS_LIFT,
      atRiskShare: AT_RISK_SHARE,
      behaviours: PERSONA_BEHAVIOURS,
      types: { ...DEFAULT_SEGMENT_TYPES, ...a.entry.segmentTypes }
    },
    valueMeasure: types.value?.measure ?? null,
    rules: ACTION_RULES.map(({ id, when, action }) => ({ id, when, action: action.replace("{category}", "the category they love") })),
    personas: s.personas.map((p, i) => ({
      segment: p.segment,
      name: p.name,
      size: s.sizes[i],
      share: sig(s.sizes[i] / n, 4),
      behaviours: p.behaviours.slice(0, PERSONA_BEHAVIOURS).map(behaviourJson),
      tier: p.tier,
      valueIndex: p.valueIndex === null ? null : sig(p.valueIndex, 3),
      valueShare: p.valueShare === null ? null : sig(p.valueShare, 4),
      risk: p.risk,
      riskBasis: p.riskBasis && { measure: p.riskBasis.measure, share: sig(p.riskBasis.share, 4), overall: sig(p.riskBasis.overall, 4) },
      focus: p.focus ? { words: p.focus.words, share: sig(p.focus.share, 4), overall: sig(p.focus.overall, 4) } : null,
      rule: p.rule,
      action: p.action,
      ...segmentWorth(a, i),
      summary: summaries[i] ? { text: summaries[i]!.text, model: summaries[i]!.model } : null
    })),
    types: {
      definitions: types.types,
      unavailable: types.unavailable,
      segments: sigDeep(shares.segments, 4),
      overall: sigDeep(shares.overall, 4),
      categories: types.categories.length
        ? { labels: types.categories.map((c) => c.label), segments: sigDeep(shares.byCategory!, 4), overall: sigDeep(shares.overallByCategory!, 4) }
        : null
    },
    responses: responseRates(a)
  };
}

/** A behaviour for a page: its words and rounded means. */
export function behaviourJson({ words, share, spend, direction, mean, overall }: Behaviour): BehaviourJson {
  return { words, share, spend, direction, mean: sig(mean), overall: sig(overall) };
}

/**
 * Campaign response by segment, with 95% Wilson intervals: every "offers" column (0/1) and an
 * outcome that is not churn (a response to the last campaign). Customers without a value are
 * left out of that column's rates.
 */
function responseRates(a: Analysis): ResponseRates[] {
  const { entry, prepared } = a.data;
  const labels = a.segmentation.labels;
  const k = a.segmentation.sizes.length;
  const columns: Array<{ column: string; y: Int8Array }> = Object.entries(entry.tags ?? {})
    .filter(([c, tag]) => tag === "offers" && c in prepared.profile)
    .map(([column]) => ({ column, y: Int8Array.from(prepared.profile[column], (v) => (v > 0 ? 1 : v === 0 ? 0 : -1)) }));
  if (a.outcome && !entry.outcome?.churn) columns.push({ column: a.outcome.analysis.column, y: a.outcome.analysis.y });
  return columns
    .map(({ column, y }) => {
      const rows = [...y.keys()].filter((i) => y[i] >= 0);
      if (!rows.length) return null;
      const r = segmentOutcomes(Int32Array.from(rows, (i) => labels[i]), Uint8Array.from(rows, (i) => y[i]), k);
      const rate = (x: { n: number; positives: number; rate: number | null; low: number | null; high: number | null }) => ({
        n: x.n,
        positives: x.positives,
        rate: x.rate === null ? null : sig(x.rate, 4),
        low: x.low === null ? null : sig(x.low, 4),
        high: x.high === null ? null : sig(x.high, 4)
      });
      return {
        column,
        words: columnWords(column, entry.display),
        overall: rate({ n: r.n, positives: r.positives, rate: r.baseRate, low: r.baseLow, high: r.baseHigh }),
        segments: r.segments.map(rate)
      };
    })
    .filter((x): x is ResponseRates => x !== null);
}
