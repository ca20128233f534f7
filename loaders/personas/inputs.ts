/**
 * The aggregate profile an LLM is told about a dataset's segments (personas/types.ts), built from
 * the report's analysis: names, shares, behaviours, value and action in words. No row, id or
 * personal column is reachable from here — only segment-level figures.
 */
import { findDataset, loadManifest } from "../manifest/load.ts";
import type { Behaviour } from "../profile/personas.ts";
import { analyze, type Analysis } from "../report/analyze.ts";
import type { PersonaInput } from "./types.ts";

export async function personaInputFor(dataset: string, progress: (m: string) => void = () => {}): Promise<PersonaInput> {
  return personaInput(await analyze(findDataset(loadManifest(), dataset), progress));
}

export function personaInput(a: Analysis): PersonaInput {
  const s = a.segmentation;
  const n = s.labels.length;
  return {
    dataset: a.entry.name,
    title: a.entry.title,
    description: a.entry.description,
    segments: s.personas.map((p) => {
      const shares = s.typeShares;
      // The focus first (it names the segment: "fresh food lovers"), then other over-represented types.
      const types = [
        ...(p.focus ? [`${p.focus.words} (${pct(p.focus.share)} vs ${pct(p.focus.overall)} overall)`] : []),
        ...s.types.types
          .filter((t) => t.id !== p.focus?.type && (shares.segments[p.segment][t.id] ?? 0) >= 1.5 * (shares.overall[t.id] ?? 0) && (shares.segments[p.segment][t.id] ?? 0) > 0)
          .map((t) => `${t.label.toLowerCase()} (${pct(shares.segments[p.segment][t.id]!)} vs ${pct(shares.overall[t.id]!)} overall)`)
      ];
      const worth = [
        p.valueShare !== null && s.types.value ? `${pct(p.valueShare)} of the ${s.types.value.measure}, ${p.valueIndex!.toFixed(2)}× the average customer` : "",
        a.value?.segments[p.segment].meanPAlive != null ? `mean P(alive) ${pct(a.value.segments[p.segment].meanPAlive!)}` : "",
        p.riskBasis ? `${p.risk}: ${p.riskBasis.measure} ${pct(p.riskBasis.share)} vs ${pct(p.riskBasis.overall)} overall` : "",
        a.outcome?.segments.segments[p.segment].rate != null ? `${a.outcome.analysis.column} rate ${pct(a.outcome.segments.segments[p.segment].rate!)} vs ${pct(a.outcome.segments.positives / a.outcome.segments.n)} overall` : ""
      ].filter(Boolean);
      return {
        segment: p.segment,
        name: p.name,
        share: s.sizes[p.segment] / n,
        behaviours: p.behaviours.slice(0, 4).map(behaviourText),
        value: worth,
        types,
        action: p.action
      };
    })
  };
}

/** "income 33,500 vs 51,900 overall", "month-to-month contract 71% vs 55% overall". */
export function behaviourText(b: Pick<Behaviour, "words" | "share" | "mean" | "overall">): string {
  const f = (x: number) => (b.share ? pct(x) : Number(x.toPrecision(3)).toLocaleString("en-US"));
  return `${b.words} ${f(b.mean)} vs ${f(b.overall)} overall`;
}

function pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}
