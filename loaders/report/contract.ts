/**
 * The JSON each report page reads: one type per file, used by the writers (loaders/report/*.ts)
 * and by the tests that read a built report. The engine emits data; pages write the sentences.
 * Thresholds and caps a page mentions travel here (e.g. `minZ`, `heatmapFeatures`) instead of
 * being typed again in Markdown.
 */
import type { DriftFile } from "./drift.ts";
import type { metricColumns } from "../registry/metrics.ts";
import type { Review } from "./review.ts";
import type { ModelFile } from "../model/modelFile.ts";
import type { Recommendation } from "../experiment/recommend.ts";
import type { CustomerFeaturesReport } from "../features/rfm.ts";
import type { PrepareReport } from "../prepare/prepare.ts";
import type { SegmentTypeOptions } from "../manifest/types.ts";
import type { Behaviour, Risk, ValueTier } from "../profile/personas.ts";
import type { SegmentTypeId, TypeDefinition } from "../profile/segmentTypes.ts";
import type { compareFile } from "./compare.ts";
import type { evaluationFile } from "./evaluation.ts";
import type { valueFile } from "./value.ts";

/** What a segment is worth (report/value.ts segmentWorth). */
export interface Worth {
  value: { meanClv: number | null; valueShare: number | null; meanPAlive: number | null } | null;
  outcome: { column: string; rate: number | null; low: number | null; high: number | null; lift: number | null } | null;
}

/** A behaviour as pages show it (profile/personas.ts Behaviour, without the feature's raw name and z). */
export type BehaviourJson = Omit<Behaviour, "feature" | "z">;

export interface SegmentSummary extends Worth {
  segment: number;
  name: string;
  size: number;
  share: number;
  action: string;
}

export interface OverviewFile {
  dataset: { name: string; title: string; description: string; source: string | null; kind: string; file: string; format: string };
  /** When the data is from and when the segments are due for review. */
  review: Review;
  /** Whether the dataset has snapshots (a Drift page). */
  drift: boolean;
  rows: number;
  customers: number;
  /** `measures`: the column's tag for the segment types (spend, deals, …). */
  columns: Array<{ name: string; role: string; measures: string | null; type: string; missing: number; inferred: string | null }>;
  transactions: ({ snapshot: string; customers: number } & CustomerFeaturesReport) | null;
  quality: PrepareReport;
  /** Everything reading and preparation decided, in order: the page's data-quality list. */
  notes: string[];
  features: string[];
  recommended: {
    runId: string;
    algorithm: string;
    k: number;
    rule: string;
    fallback: string | null;
    settings: Recommendation["settings"];
    /** The run the metric alone prefers, when it is not the recommended one. */
    strongest: Recommendation["strongest"];
    metrics: Record<string, number | null>;
    noise: number;
    /** What a segment's `valueShare` is a share of ("predicted CLV", "total spend"), or null. */
    valueMeasure: string | null;
    segments: Array<SegmentSummary & { valueShare: number | null }>;
  };
}

export interface SegmentsFile {
  /** A feature sets a segment apart at |z| ≥ minZ. */
  minZ: number;
  /** Behaviours a card lists, features the heatmap shows. */
  cardBehaviours: number;
  heatmapFeatures: number;
  segments: Array<
    SegmentSummary & {
      /** Every feature: words, whether it is a share, means and standardized difference. */
      profile: Array<{ feature: string; words: string; share: boolean; mean: number; overall: number; z: number }>;
      behaviours: BehaviourJson[];
      rules: Array<{ text: string; support: number; purity: number }>;
      rfm: { meanR: number; meanF: number; meanM: number; rfmSegments: Array<{ name: string; count: number }> } | null;
    }
  >;
  noise: number;
  rulesFidelity: number;
  rulesDepth: number;
  scatter: {
    x: number[];
    y: number[];
    /** UMAP of the same customers, or null where it could not be computed. */
    umap: { x: number[]; y: number[]; nNeighbors: number; minDist: number } | null;
    segment: number[];
    shown: number;
    of: number;
    explainedVariance: number[];
  };
  /** Parallel coordinates: standardized segment means over the most distinctive features, over a faint sample of customers. */
  parallel: {
    features: string[];
    segments: Array<{ segment: number; z: number[] }>;
    customers: { segment: number[]; z: number[][] };
    clip: number;
  };
}

export interface ResponseRate {
  n: number;
  positives: number;
  rate: number | null;
  low: number | null;
  high: number | null;
}

export interface ResponseRates {
  column: string;
  words: string;
  overall: ResponseRate;
  segments: ResponseRate[];
}

export interface PersonasFile {
  settings: {
    minZ: number;
    highValue: number;
    lowValue: number;
    focusShare: number;
    focusLift: number;
    atRiskShare: number;
    behaviours: number;
    types: SegmentTypeOptions;
  };
  /** What "value" means for this dataset ("predicted CLV", "total spend"), or null. */
  valueMeasure: string | null;
  /** The action rule table, first match wins. */
  rules: Array<{ id: string; when: string; action: string }>;
  personas: Array<
    Worth & {
      segment: number;
      name: string;
      size: number;
      share: number;
      behaviours: BehaviourJson[];
      tier: ValueTier | null;
      valueIndex: number | null;
      valueShare: number | null;
      risk: Risk | null;
      /** What the risk was judged on, for the page to say: "38% likely to churn vs 15% overall". */
      riskBasis: { measure: "likely to churn" | "churn rate"; share: number; overall: number } | null;
      focus: { words: string; share: number; overall: number } | null;
      rule: string;
      action: string;
      /** An LLM-written summary from data/personas/<dataset>.json, or null (the page shows the template text). */
      summary: { text: string; model: string } | null;
    }
  >;
  types: {
    definitions: TypeDefinition[];
    unavailable: Array<{ id: SegmentTypeId; label: string; why: string }>;
    segments: Array<Partial<Record<SegmentTypeId, number>>>;
    overall: Partial<Record<SegmentTypeId, number>>;
    categories: { labels: string[]; segments: number[][]; overall: number[] } | null;
  };
  responses: ResponseRates[];
}

export interface ExperimentsFile {
  fingerprint: string;
  built: string;
  seed: number;
  prepare: unknown;
  grid: unknown;
  recommended: Recommendation;
  epsSuggestion: { eps: number; minPoints: number } | null;
  /** The run table's metric columns (registry/metrics.ts). */
  metrics: ReturnType<typeof metricColumns>;
  runs: Array<{
    id: string;
    algorithm: string;
    params: Record<string, unknown>;
    k: number;
    sizes: number[];
    seconds: number;
    metrics: Record<string, number | null | undefined>;
    notes: string[];
    /** Why the run was chosen or lost. */
    verdict: string;
  }>;
}

/** Every file of a dataset's report archive. Value, comparison and evaluation follow their writers. */
export interface ReportFiles {
  "overview.json": OverviewFile;
  "drift.json": DriftFile;
  /** The model file (model/modelFile.ts), or why it is not published. */
  "model.json": ModelFile | { unpublished: string };
  "segments.json": SegmentsFile;
  "personas.json": PersonasFile;
  "value.json": ReturnType<typeof valueFile>;
  "compare.json": ReturnType<typeof compareFile>;
  "evaluation.json": ReturnType<typeof evaluationFile>;
  "experiments.json": ExperimentsFile;
}
