import { createHash } from "node:crypto";
import type { StabilityResult } from "../evaluate/stability.ts";
import { runStability } from "../experiment/runStability.ts";
import {
  goldStandardCheck,
  segmentPredictability,
  segmentRules,
  type GoldStandardResult,
  type PredictabilityResult,
  type SegmentRulesResult
} from "../evaluate/supervised.ts";
import { loadDataset, type PreparedDataset } from "../experiment/pipeline.ts";
import { snapshotDates } from "../drift/snapshots.ts";
import { contentHash } from "../freshness/fingerprint.ts";
import { databaseFingerprint } from "../source/fingerprint.ts";
import { MISSING_LABEL } from "../prepare/prepare.ts";
import type { Recommendation } from "../experiment/recommend.ts";
import { runExperiment, type ExperimentResult, type RunRecord } from "../experiment/runner.ts";
import { planRuns } from "../experiment/grid.ts";
import { countdown, shareProgress } from "../experiment/progress.ts";
import { WorkbenchError } from "../errors.ts";
import { RFM_WORDS } from "../features/rfm.ts";
import type { DatasetEntry } from "../manifest/types.ts";
import { dataFilePath } from "../paths.ts";
import { personas, type Persona } from "../profile/personas.ts";
import { customerTypes, typeShares, type CustomerTypes, type TypeShares } from "../profile/segmentTypes.ts";
import { orderBySize } from "../profile/order.ts";
import { segmentProfiles, type FeatureProfile } from "../profile/profile.ts";
import { binaryFeatures, columnWords, featureWords, negation, oneHotFeatures, type OneHotFeatures } from "../profile/wording.ts";
import { pca, type Projection } from "../project/pca.ts";
import { Rng } from "../rng.ts";
import type { FeatureMatrix } from "../matrix.ts";
import { predictOutcome, type OutcomeAnalysis } from "../outcome/predictOutcome.ts";
import { segmentOutcomes, type SegmentOutcomes } from "../outcome/wilson.ts";
import { segmentValues, type SegmentValue } from "../profile/value.ts";
import { datasetValue, type DatasetValue } from "../value/datasetValue.ts";

/** The recommended segmentation, renumbered largest first, with names and profiles. */
export interface Segmentation {
  run: RunRecord;
  /** Labels renumbered by decreasing size (noise -1). */
  labels: Int32Array;
  /** rank[run label] = displayed segment number. */
  rank: Int32Array;
  sizes: number[];
  names: string[];
  actions: string[];
  /** Per segment: behaviours, value tier, churn risk, focus type and the action rule. */
  personas: Persona[];
  /** Per segment, per feature (original units). */
  profiles: FeatureProfile[][];
  /** Segment types per customer, and their shares per segment. */
  types: CustomerTypes;
  typeShares: TypeShares;
  /** The features profiles describe (original units), and their words. */
  profileMatrix: FeatureMatrix;
  display: Record<string, string>;
  /** One-hot feature → its column and category; features whose values are all 0 or 1. */
  oneHot: OneHotFeatures;
  binary: Set<string>;
}

/** Everything a dataset's report shows, computed once per build. */
export interface Analysis {
  entry: DatasetEntry;
  data: PreparedDataset;
  experiment: ExperimentResult & { recommendation: Recommendation };
  segmentation: Segmentation;
  projection: Projection;
  rules: SegmentRulesResult;
  gold: GoldStandardResult | null;
  /** Why the gold-standard check did not run although the dataset has a label column. */
  goldSkipped: string | null;
  predictability: PredictabilityResult | null;
  stability: StabilityResult;
  /** Transaction logs: the value models, and each prepared customer's CLV and P(alive) now (NaN where not modelled). */
  value: { models: DatasetValue; clv: Float64Array; pAlive: Float64Array; segments: SegmentValue[] } | null;
  /** Why a transaction log has no value models. */
  valueSkipped: string | null;
  /** Customer tables with an outcome column: the outcome models and the rate per segment. */
  outcome: { analysis: OutcomeAnalysis; segments: SegmentOutcomes } | null;
  /** sha256 of the data file and the manifest entry: what this report was computed from. */
  fingerprint: string;
}

/** Rows the segment-predictability forest is cross-validated on (a seeded stratified subsample). */
export const PREDICTABILITY_ROWS = 2000;

/**
 * Everything a dataset's report shows. `runId` describes that run of the grid instead of the
 * recommended one (the export's --run); the recommendation itself is unchanged.
 */
export async function analyze(entry: DatasetEntry, progress: (m: string) => void = () => {}, { runId }: { runId?: string } = {}): Promise<Analysis> {
  // What the data is: a database's taken before it is read (it may change meanwhile), a file's
  // once it was read (a missing or unreadable file has had its message by then).
  const database = entry.format === "sql" ? await databaseFingerprint(entry) : null;
  // A database computes the log's features at every snapshot the Drift page compares, in one visit.
  const data = await loadDataset(entry, { progress: (m) => progress(`${entry.name}: ${m}`), purchases: true, snapshots: (own) => snapshotDates(entry, () => own) });
  const { prepared } = data;
  progress(`${entry.name}: ${prepared.matrix.n} customers × ${prepared.matrix.d} features`);
  if (runId !== undefined) checkRunId(entry, runId, planRuns(prepared.matrix, entry.experiment).runs.map((r) => r.id));
  const result = runExperiment({ matrix: prepared.matrix, label: prepared.label, options: entry.experiment, progress });
  if (!result.recommendation) {
    throw new WorkbenchError(`dataset "${entry.name}": no run of the experiment grid could be scored, so there is no segmentation to report`, {
      hint: "Every run gave a single segment or only noise; widen experiment.grid in data/manifest.json (k ≥ 2, larger DBSCAN eps)"
    });
  }
  const experiment = { ...result, recommendation: result.recommendation };
  const run = experiment.runs.find((r) => r.id === (runId ?? experiment.recommendation.runId))!;
  const seed = entry.experiment.seed;
  const order = orderBySize(run.labels, run.k);
  const clustered = order.labels;
  const goldInput = prepared.label ? goldStandardLabels(prepared.label) : null;
  const goldRuns = goldInput !== null && !goldInput.skipped;
  const predictable = order.sizes.filter((s) => s >= 2).length >= 2;
  // After the grid: value and outcome models, rules, the gold standard, predictability, stability.
  const say = (m: string) => progress(`${entry.name}: ${m}`);
  const step = countdown(3 + Number(goldRuns) + Number(predictable), say);

  step("value and outcome models");
  const { value, valueSkipped } = customerValue(data, clustered, run.k);
  const outcomeAnalysis = predictOutcome(data, new Rng(seed), shareProgress("outcome models", say));
  const outcome = outcomeAnalysis ? { analysis: outcomeAnalysis, segments: outcomeBySegment(outcomeAnalysis, clustered, run.k) } : null;
  // The reader's entry: an outcome inferred from a column named like churn counts too.
  const churn = outcome && data.entry.outcome?.churn ? outcome : null;
  const segmentation = describeSegments(data, run, {
    clv: value?.clv ?? null,
    pAlive: value?.pAlive ?? null,
    churnProbability: churn?.analysis.probability ?? null,
    churnRates: churn ? { segments: churn.segments.segments.map((s) => s.rate), overall: churn.segments.baseRate } : null
  }, order);

  step("segment rules");
  const wordsOf = (feature: string) => {
    const w = featureWords(feature, segmentation.oneHot, segmentation.display, segmentation.binary);
    return { ...w, not: negation(w.words) };
  };
  const rules = segmentRules(prepared.unscaled, clustered, segmentation.names, { rng: new Rng(seed), wordsOf });
  if (goldRuns) step("gold-standard label check");
  const gold = goldRuns
    ? goldStandardCheck(prepared.matrix, goldInput.labels, prepared.ids, {
        rng: new Rng(seed),
        folds: goldInput.folds,
        progress: shareProgress("gold-standard label check", say)
      })
    : null;
  if (gold) gold.notes.unshift(...goldInput!.notes);
  if (predictable) step("segment predictability");
  const predictability = predictable
    ? segmentPredictability(prepared.matrix, clustered, {
        rng: new Rng(seed),
        segmentNames: segmentation.names,
        maxRows: PREDICTABILITY_ROWS,
        progress: shareProgress("segment predictability", say)
      })
    : null;
  step("stability and projection");
  const stab = inDisplayOrder(experiment.stabilities[run.id] ?? runStability(prepared.matrix, run, seed, progress), segmentation.rank);

  const fingerprint = createHash("sha256").update(database ?? contentHash(dataFilePath(entry.file, entry.name))).update(JSON.stringify(entry)).digest("hex");
  return {
    entry,
    data,
    experiment,
    goldSkipped: goldInput?.skipped ?? null,
    segmentation,
    projection: pca(prepared.matrix, 2),
    rules,
    gold,
    predictability,
    stability: stab,
    value,
    valueSkipped,
    outcome,
    fingerprint
  };
}

/** A run id the user asked for must be in the grid: said before the grid runs. */
function checkRunId(entry: DatasetEntry, runId: string, ids: string[]): void {
  if (ids.includes(runId)) return;
  throw new WorkbenchError(`dataset "${entry.name}" has no run "${runId}"`, {
    expected: `one of ${ids.map((id) => `"${id}"`).join(", ")}`,
    hint: "Run ids are listed on the Experiments page and in the segment command's output"
  });
}

/** A run's stability with its segments renumbered as displayed (largest first). */
function inDisplayOrder(result: StabilityResult, rank: Int32Array): StabilityResult {
  const segments = result.segments.map((s) => ({ ...s, segment: rank[s.segment] })).sort((a, b) => a.segment - b.segment);
  return { ...result, segments };
}

/** The value models of a transaction log, and each prepared customer's CLV and P(alive) as of now. */
function customerValue(data: PreparedDataset, labels: Int32Array, k: number): Pick<Analysis, "value" | "valueSkipped"> {
  const { transactions, entry, prepared } = data;
  if (!transactions || !entry.value) return { value: null, valueSkipped: null };
  const ids = transactions.dataset.table.array(transactions.dataset.columns.find((c) => c.role === "id")!.name) as string[];
  let models: DatasetValue;
  try {
    models = datasetValue(transactions, ids, entry.value);
  } catch (error) {
    if (!(error instanceof WorkbenchError)) throw error;
    return { value: null, valueSkipped: error.message };
  }
  const byId = new Map(models.current.rows.map((r) => [r.id, r]));
  const clv = Float64Array.from(prepared.ids, (id) => byId.get(id)?.clv ?? NaN);
  const pAlive = Float64Array.from(prepared.ids, (id) => byId.get(id)?.pAlive ?? NaN);
  return { value: { models, clv, pAlive, segments: segmentValues(labels, k, clv, pAlive) }, valueSkipped: null };
}

/** Outcome rate per segment, over the customers whose outcome is known. */
function outcomeBySegment(outcome: OutcomeAnalysis, labels: Int32Array, k: number): SegmentOutcomes {
  const rows = [...outcome.y.keys()].filter((i) => outcome.y[i] >= 0);
  return segmentOutcomes(Int32Array.from(rows, (i) => labels[i]), Uint8Array.from(rows, (i) => outcome.y[i]), k);
}

/**
 * Labels for the gold-standard check: rows without a label are left out (not a class), classes
 * with a single row are left out (they cannot be both trained on and tested), and the folds are
 * lowered to the smallest class (5 at most, 2 at least). With fewer than two classes left the
 * check is skipped, with the reason.
 */
export function goldStandardLabels(label: string[]): { labels: string[]; folds: number; notes: string[]; skipped: string | null } {
  const notes: string[] = [];
  const counts = new Map<string, number>();
  for (const l of label) if (l !== MISSING_LABEL) counts.set(l, (counts.get(l) ?? 0) + 1);
  const missing = label.length - [...counts.values()].reduce((a, b) => a + b, 0);
  if (missing) notes.push(`${missing} customers without a label were left out`);
  const tiny = [...counts].filter(([, c]) => c < 2).map(([l]) => l);
  if (tiny.length) notes.push(`label value(s) with a single customer left out: ${tiny.slice(0, 5).join(", ")}`);
  const kept = [...counts].filter(([, c]) => c >= 2);
  if (kept.length < 2) {
    return { labels: [], folds: 0, notes, skipped: `the label column has ${kept.length} value(s) with two or more customers; predicting it needs at least two` };
  }
  const smallest = Math.min(...kept.map(([, c]) => c));
  const folds = Math.max(2, Math.min(5, smallest));
  if (folds < 5) notes.push(`${folds}-fold cross-validation: the smallest label value has ${smallest} customers`);
  const keep = new Set(kept.map(([l]) => l));
  return { labels: label.map((l) => (keep.has(l) ? l : "")), folds, notes, skipped: null };
}

/** What the value and outcome models say of each prepared customer, for the segment types. */
export interface CustomerScores {
  clv: Float64Array | null;
  pAlive: Float64Array | null;
  /** Outcome probability where the outcome is churn, and its observed rate per segment. */
  churnProbability: Float64Array | null;
  churnRates: { segments: Array<number | null>; overall: number } | null;
}

/** Names, personas and types of a run's segments; `order` is the run's labels renumbered largest first. */
export function describeSegments(data: PreparedDataset, run: RunRecord, scores: CustomerScores, order = orderBySize(run.labels, run.k)): Segmentation {
  const { entry, prepared } = data;
  const { labels, sizes, rank } = order;
  const profiled = profileMatrix(data);
  const profiles = segmentProfiles(profiled, labels, run.k);
  const display = { ...(data.transactions ? RFM_WORDS : {}), ...entry.display };
  const types = customerTypes({
    n: labels.length,
    kind: entry.kind,
    profile: prepared.profile,
    tags: entry.tags ?? {},
    display: (column) => columnWords(column, display),
    clv: scores.clv,
    pAlive: scores.pAlive,
    churnProbability: scores.churnProbability,
    options: entry.segmentTypes
  });
  const shares = typeShares(types, labels, run.k);
  const oneHot = oneHotFeatures(prepared.report.encoded);
  const binary = binaryFeatures(profiled);
  const described = personas({ profiles, sizes, labels, types, shares, oneHot, display, binary, churnRates: scores.churnRates });
  return {
    run,
    labels,
    rank,
    sizes,
    names: described.map((p) => p.name),
    actions: described.map((p) => p.action),
    personas: described,
    profiles,
    types,
    typeShares: shares,
    profileMatrix: profiled,
    display,
    oneHot,
    binary
  };
}

/**
 * The features profiles are described in: the clustering features in original units (one-hot
 * columns as shares), followed by the profile-only columns (e.g. campaign responses).
 */
function profileMatrix(data: PreparedDataset) {
  const { unscaled, profile } = data.prepared;
  const extra = Object.keys(profile).filter((name) => !unscaled.names.includes(name) && data.entry.columns[name] === "profile");
  if (!extra.length) return unscaled;
  const d = unscaled.d + extra.length;
  const out = new Float64Array(unscaled.n * d);
  for (let i = 0; i < unscaled.n; i++) {
    out.set(unscaled.data.subarray(i * unscaled.d, (i + 1) * unscaled.d), i * d);
    extra.forEach((name, j) => (out[i * d + unscaled.d + j] = profile[name][i]));
  }
  return { names: [...unscaled.names, ...extra], n: unscaled.n, d, data: out };
}
