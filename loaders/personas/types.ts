/**
 * What an LLM is told about a dataset's segments: aggregates only (names, shares, behaviours in
 * words, value, action), never rows, ids or personal columns. Built from the report by
 * personas/inputs.ts; sent by personas/llm.ts; answers are cached by personas/cache.ts.
 */
export interface PersonaSegment {
  /** Displayed segment number (0 = largest). */
  segment: number;
  name: string;
  /** Share of customers, 0..1. */
  share: number;
  /** Key behaviours in words, e.g. "income 71,000 vs 52,000 overall". */
  behaviours: string[];
  /** Commercial value in words, e.g. "41% of predicted value; mean CLV 120". */
  value: string[];
  /** Segment types over-represented here, e.g. "discount seekers (48% vs 21% overall)". */
  types: string[];
  /** The recommended action (template rule table). */
  action: string;
}

export interface PersonaInput {
  /** Manifest name of the dataset. */
  dataset: string;
  /** Its title and description (from the manifest, not from data rows). */
  title: string;
  description: string;
  segments: PersonaSegment[];
}
