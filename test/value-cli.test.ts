import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { valueCommand } from "../loaders/cli/valueCommand.ts";
import { runCommand } from "./helpers/cli.ts";
import { sampleLogText } from "./helpers/cdnow.ts";
import { REPO } from "./helpers/project.ts";

const tmp = mkdtempSync(join(tmpdir(), "value-cli-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const value = (args: string[]) => runCommand(valueCommand, args, { cwd: tmp });
const json = async (args: string[]) => {
  const r = await value(args);
  if (r.code !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
};

/**
 * The acceptance run: Fader, Hardie & Lee's 1/10 CDNOW sample in the layout of Hardie's
 * CDNOW_sample.txt (no header; master id, sample id, date, CDs, dollars), weekly, calibration to
 * 1997-09-30, holdout to 1998-06-30, through the command line as a user runs it.
 * Published: Fader, Hardie & Lee (2005), "Counting Your Customers the Easy Way", Marketing
 * Science 24(2), Table/Figures; Gamma-Gamma: Fader, Hardie & Lee (2005), "RFM and CLV", JMR 42.
 */
describe("npm run value on the paper's CDNOW cohort", () => {
  let out: any;
  beforeAll(async () => {
    writeFileSync(join(tmp, "CDNOW_sample.txt"), sampleLogText());
    out = await json(["--input", "CDNOW_sample.txt", "--no-header", "--customer", "2", "--date", "3", "--quantity", "4", "--amount", "5", "--date-format", "YYYYMMDD", "--calibration-end", "1997-09-30", "--holdout-end", "1998-06-30", "--period", "week"]);
  });

  it("reproduces the published BG/NBD fit to 4 decimals and its log-likelihood to 0.05", () => {
    expect(out.customers).toBe(2357);
    expect(out.period).toBe("week");
    const { r, alpha, a, b, logLikelihood } = out.bgnbd;
    expect([r, alpha, a, b].map((x: number) => x.toFixed(4))).toEqual(["0.2426", "4.4136", "0.7929", "2.4259"]);
    expect(Math.abs(logLikelihood - -9582.43)).toBeLessThan(0.05);
    expect(out.chosen).toBe("bgnbd");
  });

  it("reproduces the Pareto/NBD log-likelihood, and r and s (alpha and beta lie along a flat ridge)", () => {
    const { r, alpha, s, beta, logLikelihood } = out.pnbd;
    expect(Math.abs(logLikelihood - -9594.98)).toBeLessThan(0.05);
    expect(Math.abs(r - 0.5532)).toBeLessThan(1e-4);
    expect(Math.abs(s - 0.6062)).toBeLessThan(1e-4);
    // Published 10.5763 and 11.6715; standard error of beta 6.2: the likelihood differs by 5e-6.
    expect(Math.abs(alpha - 10.5763) / 10.5763).toBeLessThan(5e-4);
    expect(Math.abs(beta - 11.6715) / 11.6715).toBeLessThan(5e-4);
  });

  it("reproduces the Gamma-Gamma fit on the 946 repeat buyers", () => {
    const { p, q, v, customers } = out.gammaGamma;
    expect(customers).toBe(946);
    expect([p, q, v].map((x: number) => x.toFixed(2))).toEqual(["6.25", "3.74", "15.44"]);
  });

  it("reproduces the holdout total: 1,882 actual against 1,653.4 expected", () => {
    expect(out.holdout.periods).toBe(39);
    expect(out.holdout.actual).toBe(1882);
    expect(out.holdout.predicted.toFixed(1)).toBe("1653.4");
  });

  it("runs the same through npm from the folder the file is in", () => {
    const r = spawnSync("npm", ["--prefix", REPO, "run", "--silent", "value", "--", "--input", "CDNOW_sample.txt", "--no-header", "--customer", "2", "--date", "3", "--amount", "5", "--date-format", "YYYYMMDD", "--calibration-end", "1997-09-30", "--holdout-end", "1998-06-30"], { cwd: tmp, encoding: "utf8", maxBuffer: 1 << 26 });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).bgnbd).toEqual(out.bgnbd);
  });

  it("gives every customer x, tx, T in weeks, P(alive), expected holdout purchases, spend and CLV", () => {
    expect(out.rows).toHaveLength(2357);
    const first = out.rows.find((r: any) => r.id === "0001");
    // Sample customer 1 (master 4): purchases 1997-01-01, 01-18, 08-02, 12-12 → x = 2 in calibration.
    expect(first).toMatchObject({ x: 2, actual: 1 });
    expect(first.tx).toBeCloseTo(213 / 7, 10);
    expect(first.T).toBeCloseTo(272 / 7, 10);
    for (const key of ["pAlive", "expected", "averageValue", "clv"]) expect(first[key], key).toBeGreaterThan(0);
    expect(out.rows.reduce((s: number, r: any) => s + r.actual, 0)).toBe(1882);
  });
});

describe("npm run value on manifest datasets and customer tables", () => {
  it("uses the manifest's value settings for --dataset cdnow, and flags override them", async () => {
    const site = await json(["--dataset", "cdnow"]);
    expect([site.calibrationEnd, site.holdoutEnd, site.customers]).toEqual(["1997-09-30", "1998-06-30", 23570]);
    const daily = await json(["--dataset", "cdnow", "--calibration-end", "1998-06-30", "--period", "day", "--horizon", "30", "--margin", "0.3"]);
    expect([daily.period, daily.holdoutEnd, daily.holdout]).toEqual(["day", null, null]);
    expect(daily.clv).toMatchObject({ horizon: 30, margin: 0.3 });
  });

  it("cuts a holdout that runs past the end of the log at its last purchase, and says so", async () => {
    const r = await value(["--dataset", "cdnow", "--calibration-end", "1998-01-31", "--holdout-end", "2000-01-01"]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.holdoutEnd).toBe("1998-06-30");
    expect(out.holdout.periods).toBeCloseTo(150 / 7, 12);
    expect(r.stderr).toContain("note: the holdout is cut at the last purchase in the log, 1998-06-30, instead of 2000-01-01: the log holds nothing later\n");
  });

  it("predicts an outcome of a customer table with out-of-fold probabilities", async () => {
    const out = await json(["--dataset", "marketing"]);
    expect(out.n).toBe(2240);
    expect(out.outcome).toMatchObject({ column: "Response", positive: "1", folds: 5 });
    expect(out.outcome.rate).toBeCloseTo(334 / 2240, 12);
    expect(out.outcome.auc).toBeGreaterThan(0.85);
    expect(out.outcome.auc).toBe(Math.max(out.outcome.models.logistic.auc, out.outcome.models.boosting.auc));
    expect(out.rows).toHaveLength(2240);
    expect(out.rows[0]).toEqual({ id: "5524", probability: expect.any(Number) });
  });

  it("takes an outcome by flags, with its positive value", async () => {
    const rows = ["customerID,plan,tenure,charges,Churn"];
    for (let i = 0; i < 80; i++) rows.push(`C${1000 + i},${i % 3 ? "monthly" : "yearly"},${i % 40},${20 + (i % 9) * 5},${(i % 3 ? i % 4 < 2 : i % 7 === 0) ? "Left" : "Stayed"}`);
    writeFileSync(join(tmp, "churn.csv"), rows.join("\n") + "\n");
    const out = await json(["--input", "churn.csv", "--outcome", "Churn", "--positive", "Left"]);
    expect(out.outcome).toMatchObject({ column: "Churn", positive: "Left" });
    expect(out.rows.map((r: any) => r.id).slice(0, 2)).toEqual(["C1000", "C1001"]);
    const r = await value(["--input", "churn.csv", "--outcome", "Churn"]);
    expect(r.stderr.trim()).toBe('error: churn.csv, column "Churn": cannot tell which value of the outcome means it happened; found "values \\"Left\\", \\"Stayed\\"". Name it with --positive, e.g. --positive "Left"');
    const typo = await value(["--input", "churn.csv", "--outcome", "Churn", "--positive", "Gone"]);
    expect(typo.stderr.trim()).toBe('error: churn.csv, column "Churn": the outcome\'s positive value never occurs; found "Gone", expected one of "Left", "Stayed". Fix --positive');
  });

  it.each([
    [["--dataset", "wholesale"], /^error: dataset "wholesale" has no outcome column\. Give a column the role "outcome"/],
    [["--dataset", "marketing", "--calibration-end", "2014-01-01"], /^error: --calibration-end is for transaction logs only/],
    [["--dataset", "cdnow", "--holdout-end", "1998-06-30", "--calibration-end", "1998-07-30"], /^error: --holdout-end must be after --calibration-end; found "1998-06-30"/],
    [["--dataset", "cdnow", "--calibration-end", "1997-02-30"], /^error: --calibration-end: invalid date; found "1997-02-30"/],
    [["--dataset", "cdnow", "--margin", "30"], /^error: --margin must be a share in \(0, 1\], e\.g\. 0\.3; found "30"/],
    [["--dataset", "cdnow", "--period", "month"], /^error: --period: unknown value; found "month", expected day or week/],
    [["--dataset", "cdnow", "--calibration-end", "1996-01-01"], /^error: too few customers to fit the value models/],
    [["--dataset", "cdnow", "--calibration-end", "1999-06-30"], /^error: the calibration end is after the last purchase in the log; found "1999-06-30", expected a day up to 1998-06-30\. Use a date within the log/],
    [["--input", "nope.csv", "--outcome", "x"], /^error: nope\.csv: data file not found\. Check the --input path$/]
  ])("rejects %j in one line", async (args, message) => {
    const r = await value(args);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n").pop()).toMatch(message);
  });
});
