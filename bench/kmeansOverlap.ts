/**
 * k-means on overlapping blobs, the whole fit as the CLI runs it (`--algorithm kmeans --k 8
 * --n-init 1`: greedy k-means++ then Lloyd), against scikit-learn's
 * KMeans(8, n_init=1, random_state).fit(X). Overlap makes Lloyd take many iterations, so both
 * the seeding and the iterations count. Also times Lloyd alone from the same centres on both
 * sides (our k-means++ centres), which separates the two parts.
 *
 *   node --import tsx bench/kmeansOverlap.ts [n]      prints the header and one row
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { kmeans, kmeansPlusPlus, lloyd, startKmeansWorkers } from "../loaders/cluster/kmeans.ts";
import type { FeatureMatrix } from "../loaders/matrix.ts";
import { Rng } from "../loaders/rng.ts";
import { haveSklearn, Sklearn, type Timing } from "./sklearn.ts";

export interface OverlapOptions {
  n?: number;
  d?: number;
  k?: number;
  /** Alternating rounds; the best of each side is reported. */
  rounds?: number;
  /** Data seed. */
  seed?: number;
  /**
   * Fits per round and side, with initialisation seeds 0..starts−1 (ours: Rng(seed), scikit-learn:
   * random_state=seed). The two random streams differ, and the iteration count after k-means++
   * varies a lot from start to start (4 to about 50 here), so one start would compare luck.
   */
  starts?: number;
}

/** k centres drawn N(0, 2.5²) per feature; each row a uniformly chosen centre plus N(0, 1.5²) noise. */
export function overlappingBlobs(n: number, d: number, k: number, seed: number): FeatureMatrix {
  const rng = new Rng(seed);
  const centres = Float64Array.from({ length: k * d }, () => 2.5 * rng.normal());
  const data = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const c = rng.int(k) * d;
    for (let j = 0; j < d; j++) data[i * d + j] = centres[c + j] + 1.5 * rng.normal();
  }
  return { names: Array.from({ length: d }, (_, j) => `f${j + 1}`), n, d, data };
}

export const KMEANS_OVERLAP_HEADER =
  "| data | starts | ours fit (s) | scikit-learn fit (s) | ratio | mean iterations ours / sklearn | mean inertia ours / sklearn | Lloyd alone, same starts: ours / sklearn (s) | ratio |\n" +
  "|---|---|---|---|---|---|---|---|---|";

interface Round {
  seconds: number;
  iterations: number;
  inertia: number;
}

const fmt = (s: number) => (s < 10 ? s.toFixed(3) : s.toFixed(1));

/** Times both sides alternately and returns one markdown row (see KMEANS_OVERLAP_HEADER). */
export async function kmeansOverlapBench(options: OverlapOptions = {}): Promise<string> {
  const { n = 1_000_000, d = 8, k = 8, rounds = 5, seed = 42, starts = 4 } = options;
  const matrix = overlappingBlobs(n, d, k, seed);
  const label = `${n.toLocaleString("en-US")} × ${d} overlapping, k = ${k}`;
  const seeds = Array.from({ length: starts }, (_, i) => i);
  await startKmeansWorkers();
  // Summed over the starts: seconds, and iterations and inertia for the means.
  const total = async (fit: (seed: number) => Promise<Timing> | Timing): Promise<Round> => {
    const out: Round = { seconds: 0, iterations: 0, inertia: 0 };
    for (const s of seeds) {
      const r = await fit(s);
      out.seconds += r.seconds;
      out.iterations += r.iterations;
      out.inertia += r.inertia;
    }
    return out;
  };
  const fitOurs = (s: number): Timing => {
    const t = performance.now();
    const r = kmeans.fit(matrix, { k, nInit: 1 }, new Rng(s));
    const model = r.model as { inertia: number; iterations: number };
    return { seconds: (performance.now() - t) / 1000, inertia: model.inertia, iterations: model.iterations };
  };
  // fit's own starts (it forks its rng once per run), for Lloyd alone on both sides.
  const inits = seeds.map((s) => kmeansPlusPlus(matrix, k, new Rng(s).fork()));
  const lloydOurs = (s: number): Timing => {
    const t = performance.now();
    const r = lloyd(matrix, inits[s]);
    return { seconds: (performance.now() - t) / 1000, inertia: r.inertia, iterations: r.iterations };
  };
  fitOurs(0); // JIT warm-up
  const ours: Round[] = [];
  const oursLloyd: Round[] = [];
  const theirs: Round[] = [];
  const theirsLloyd: Round[] = [];
  const sk = (await haveSklearn()) ? new Sklearn() : undefined;
  const dir = mkdtempSync(join(tmpdir(), "bench-kmeans-overlap-"));
  try {
    const xFile = join(dir, `x${n}x${d}.f64`);
    const cFiles = seeds.map((s) => join(dir, `c${n}x${d}-${s}.f64`));
    writeFileSync(xFile, new Uint8Array(matrix.data.buffer, matrix.data.byteOffset, matrix.data.byteLength));
    seeds.forEach((s) => writeFileSync(cFiles[s], new Uint8Array(inits[s].buffer, inits[s].byteOffset, inits[s].byteLength)));
    for (let r = 0; r < rounds; r++) {
      if (sk) theirs.push(await total((s) => sk.fitPlusPlus(xFile, n, d, k, s)));
      ours.push(await total(fitOurs));
      if (sk) theirsLloyd.push(await total((s) => sk.fit(xFile, cFiles[s], n, d, k)));
      oursLloyd.push(await total(lloydOurs));
    }
  } finally {
    sk?.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const best = (xs: Round[]) => Math.min(...xs.map((x) => x.seconds));
  const means = (xs: Round[]) => [(xs[0].iterations / starts).toFixed(1), (xs[0].inertia / starts).toPrecision(8)];
  const [itA, inA] = means(ours);
  const a = best(ours);
  const la = best(oursLloyd);
  if (!sk) return `| ${label} | ${starts} | ${fmt(a)} | – | – | ${itA} / – | ${inA} / – | ${fmt(la)} / – | – |`;
  const [itB, inB] = means(theirs);
  const b = best(theirs);
  const lb = best(theirsLloyd);
  return `| ${label} | ${starts} | ${fmt(a)} | ${fmt(b)} | ${(a / b).toFixed(2)} | ${itA} / ${itB} | ${inA} / ${inB} | ${fmt(la)} / ${fmt(lb)} | ${(la / lb).toFixed(2)} |`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv[2] ?? 1_000_000);
  console.log(`${KMEANS_OVERLAP_HEADER}\n${await kmeansOverlapBench({ n })}`);
  process.exit(0);
}
