/**
 * Drift page and the Overview's review line: when the data is from, when the segments are next
 * due for review, and what moved between the dataset's snapshots (drift/snapshots.ts).
 */
import { DRIFT_THRESHOLDS } from "../drift/verdict.ts";
import { PSI_THRESHOLDS } from "../drift/psi.ts";
import { checkWithinLog, comparePair, fitSnapshot, sharesOverTime, snapshotRefs, wordsOf, type DriftPair, type SnapshotFit } from "../drift/snapshots.ts";
import type { Analysis } from "./analyze.ts";
import { review, type Review } from "./review.ts";

export interface DriftFile {
  review: Review;
  /** Each snapshot: its date, customers and recommended run. */
  snapshots: Array<{ date: string; customers: number; run: string; k: number }>;
  pairs: DriftPair[];
  /** The report's segments (the latest snapshot's) scored at every snapshot. */
  timeline: { names: string[]; points: Array<{ date: string; segment: number; share: number }> };
  thresholds: typeof DRIFT_THRESHOLDS & { psiClasses: typeof PSI_THRESHOLDS };
}

/**
 * Segments every snapshot and compares consecutive ones. The snapshot the report itself shows
 * (a log's report snapshot, a table's own file) is taken from the analysis, not segmented again.
 */
export function driftFile(a: Analysis, progress: (m: string) => void = () => {}): DriftFile {
  const source = a.entry.kind === "transactions" ? a.data.source : null;
  const refs = snapshotRefs(a.data.entry, source);
  if (source) checkWithinLog(source, refs.map((r) => r.date));
  const current = a.data.transactions?.snapshot;
  const fits: SnapshotFit[] = refs.map((ref) =>
    (a.data.transactions ? ref.date === current : ref.file === a.entry.file)
      ? { date: ref.date, data: a.data, run: a.segmentation.run, rank: a.segmentation.rank, names: a.segmentation.names, sizes: a.segmentation.sizes, words: wordsOf(a.segmentation) }
      : fitSnapshot(a.data.entry, ref, source, progress)
  );
  const pairs = fits.slice(1).map((later, i) => comparePair(fits[i], later));
  return {
    review: review(a),
    snapshots: fits.map((f) => ({ date: f.date, customers: f.data.prepared.ids.length, run: f.run.id, k: f.run.k })),
    pairs,
    timeline: { names: fits.length ? fits[fits.length - 1].names : [], points: fits.length ? sharesOverTime(fits) : [] },
    thresholds: { ...DRIFT_THRESHOLDS, psiClasses: PSI_THRESHOLDS }
  };
}
