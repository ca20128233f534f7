/**
 * Value-model benchmark: fitValueModels (summary, BG/NBD, Pareto/NBD, Gamma-Gamma, predictions,
 * holdout check, CLV) timed on
 *   - 2,357 customers: the 1/10 CDNOW sample of Fader, Hardie & Lee (2005), rebuilt from
 *     data/cdnow_master.txt and test/fixtures/cdnow-sample-ids.txt,
 *   - 23,570 customers: all of CDNOW,
 *   both through the project's reader and customerFeatures (test/helpers/cdnow.ts), so
 *   purchases are customer-days,
 *   - 1,000,000 customers: a seeded BG/NBD purchase log (CDNOW's published parameters, weeks,
 *     12 weeks of acquisition, 39 + 39 weeks observed, Gamma-Gamma spends).
 * Best of a few rounds per size, after a warm-up. Targets: < 0.2 s, < 0.5 s, < 5 s.
 *
 *   node --import tsx bench/value.ts                 all sizes, 3 rounds
 *   node --import tsx bench/value.ts 23570 --rounds 5
 */
import { pathToFileURL } from "node:url";
import { parseSnapshot, type Purchases } from "../loaders/features/rfm.ts";
import { Rng } from "../loaders/rng.ts";
import { fitValueModels, type ValueModelsResult, type ValueSettings } from "../loaders/value/fit.ts";
import { simulatePurchases } from "../loaders/value/simulate.ts";
import { cdnowFull, cdnowSample } from "../test/helpers/cdnow.ts";

export interface ValueBenchRow {
  customers: number;
  data: string;
  /** Purchases (customer-days) given to fitValueModels. */
  purchases: number;
  /** Best fitValueModels time over the rounds, seconds. */
  seconds: number;
  targetSeconds: number;
  result: ValueModelsResult;
}

const SETTINGS: ValueSettings = {
  periodDays: 7, calibrationEnd: "1997-09-30", holdoutEnd: "1998-06-30", horizon: 52, margin: 0.3, annualDiscountRate: 0.1
};
const TARGETS: Record<number, number> = { 2357: 0.2, 23570: 0.5, 1_000_000: 5 };

function dataset(customers: number): { data: string; purchases: Purchases; ids: string[] } {
  if (customers === 23570) {
    const { purchases, ids } = cdnowFull();
    return { data: "CDNOW, all customers", purchases, ids };
  }
  if (customers === 2357) {
    const { purchases, ids } = cdnowSample();
    return { data: "CDNOW 1/10 sample (Fader, Hardie & Lee 2005)", purchases, ids };
  }
  const start = parseSnapshot("1997-01-01");
  const purchases = simulatePurchases(
    { model: "bgnbd", params: { r: 0.2426, alpha: 4.4136, a: 0.7929, b: 2.4259 } },
    { customers, startDay: start, acquisitionDays: 84, endDay: parseSnapshot("1998-06-30"), periodDays: 7, spend: { p: 6.25, q: 3.74, v: 15.44 } },
    new Rng(42)
  );
  return { data: "simulated BG/NBD (seed 42)", purchases, ids: Array.from({ length: customers }, (_, i) => `c${i}`) };
}

/** Times fitValueModels at each size (best of `rounds`, after one warm-up run). */
export function benchValueModels(sizes = [2357, 23570, 1_000_000], rounds = 3): ValueBenchRow[] {
  return sizes.map((customers) => {
    const { data, purchases, ids } = dataset(customers);
    let result = fitValueModels(purchases, ids, SETTINGS); // warm-up (JIT), not timed
    let best = Infinity;
    for (let r = 0; r < rounds; r++) {
      const t = performance.now();
      result = fitValueModels(purchases, ids, SETTINGS);
      best = Math.min(best, (performance.now() - t) / 1000);
    }
    return { customers, data, purchases: purchases.day.length, seconds: best, targetSeconds: TARGETS[customers] ?? NaN, result };
  });
}

/** The benchmark as markdown: timings, then the fitted parameters. */
export function valueBenchMarkdown(rows: ValueBenchRow[], rounds: number): string {
  const n = (v: number) => v.toLocaleString("en-US");
  const f = (v: number, d = 4) => v.toFixed(d);
  const lines = [
    `# Value models: fitValueModels (summary, BG/NBD, Pareto/NBD, Gamma-Gamma, predictions, holdout, CLV), best of ${rounds} rounds`,
    "",
    "| customers | data | purchases (customer-days) | seconds | target (s) |",
    "|---|---|---|---|---|",
    ...rows.map((r) => `| ${n(r.customers)} | ${r.data} | ${n(r.purchases)} | ${r.seconds.toFixed(3)} | < ${r.targetSeconds} |`),
    "",
    "| customers | BG/NBD r, α, a, b (LL) | Pareto/NBD r, α, s, β (LL) | Gamma-Gamma p, q, v | chosen | holdout actual / expected |",
    "|---|---|---|---|---|---|",
    ...rows.map(({ customers, result: x }) => {
      const gg = x.gammaGamma ? `${f(x.gammaGamma.p, 3)}, ${f(x.gammaGamma.q, 3)}, ${f(x.gammaGamma.v, 3)}` : "–";
      const h = x.holdout ? `${n(x.holdout[x.chosen].actual)} / ${x.holdout[x.chosen].expected.toFixed(1)}` : "–";
      return `| ${n(customers)} | ${f(x.bgnbd.r)}, ${f(x.bgnbd.alpha)}, ${f(x.bgnbd.a)}, ${f(x.bgnbd.b)} (${x.bgnbd.logLikelihood.toFixed(2)}) | ` +
        `${f(x.pnbd.r)}, ${f(x.pnbd.alpha)}, ${f(x.pnbd.s)}, ${f(x.pnbd.beta)} (${x.pnbd.logLikelihood.toFixed(2)}) | ${gg} | ${x.chosen} | ${h} |`;
    })
  ];
  return lines.join("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const args = process.argv.slice(2);
  const roundsAt = args.indexOf("--rounds");
  const rounds = roundsAt >= 0 ? Number(args[roundsAt + 1]) : 3;
  const sizes = args.filter((a, i) => i !== roundsAt && i !== roundsAt + 1).map(Number).filter((v) => v > 0);
  const rows = benchValueModels(sizes.length ? sizes : undefined, rounds);
  console.log(valueBenchMarkdown(rows, rounds));
}
