import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { reportArchive } from "../loaders/report/report.ts";
import { archiveMembers } from "./helpers/archive.ts";
import { sampleLogText } from "./helpers/cdnow.ts";

const dir = mkdtempSync(join(tmpdir(), "report-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function members(archive: Buffer, name: string): Record<string, unknown> {
  return archiveMembers(archive, join(dir, name));
}

describe("a dataset's report", () => {
  it("is the same for the same data and settings, but for run timings", async () => {
    process.env.SOURCE_DATE_EPOCH = "1764000000";
    try {
      const a = members(await reportArchive("wholesale"), "a");
      const b = members(await reportArchive("wholesale"), "b");
      expect(Object.keys(a).sort()).toEqual(["compare.json", "drift.json", "evaluation.json", "experiments.json", "model.json", "overview.json", "personas.json", "segments.json", "value.json"]);
      expect(JSON.stringify(b)).toBe(JSON.stringify(a));
      expect((a["experiments.json"] as { built: string }).built).toBe("2025-11-24");
    } finally {
      delete process.env.SOURCE_DATE_EPOCH;
    }
  });
});

describe("a report with value and outcome models", () => {
  it("is the same for the same data and settings, but for run timings", async () => {
    // A project of its own: the CDNOW 1/10 sample as a log, and a churn table with an outcome.
    const root = join(dir, "project");
    mkdirSync(join(root, "data"), { recursive: true });
    writeFileSync(join(root, "data", "sample.txt"), sampleLogText());
    const churn = ["id,plan,tenure,charges,churned"];
    for (let i = 0; i < 300; i++) churn.push(`c${i},${["a", "b", "c"][i % 3]},${i % 50},${20 + ((i * 7) % 60)},${(i * 13) % 10 < 3 + (i % 3) ? "yes" : "no"}`);
    writeFileSync(join(root, "data", "churn.csv"), churn.join("\n") + "\n");
    const experiment = { seed: 3, algorithms: ["kmeans"], grid: { kmeans: { k: [2, 3] } } };
    const manifest = {
      datasets: {
        sample: { title: "Sample", kind: "transactions", file: "sample.txt", format: "whitespace", header: false, dateFormat: "YYYYMMDD", columns: { "2": "id", "3": "date", "5": "amount" }, snapshots: ["1998-01-01", "1998-07-01"], experiment },
        churn: { title: "Churn", kind: "customers", file: "churn.csv", format: "csv", columns: { id: "id", plan: "categorical", tenure: "numeric", charges: "numeric", churned: "outcome" }, experiment }
      }
    };
    writeFileSync(join(root, "data", "manifest.json"), JSON.stringify(manifest));
    const saved = process.env.WORKBENCH_ROOT;
    process.env.WORKBENCH_ROOT = root;
    try {
      for (const name of ["sample", "churn"]) {
        const a = members(await reportArchive(name), `${name}-a`);
        const b = members(await reportArchive(name), `${name}-b`);
        expect(JSON.stringify(b["value.json"])).toBe(JSON.stringify(a["value.json"]));
        expect(JSON.stringify(b)).toBe(JSON.stringify(a));
      }
      const value = members(await reportArchive("sample"), "sample-c")["value.json"] as any;
      // The last third held out automatically; customers valued by the fit on the whole log.
      expect(value.value.settings.split).toBe("automatic");
      expect(value.value.validation.holdout.bgnbd.customers).toBe(2357);
      expect(value.value.current.customers).toBe(2357);
      // Drift between the two snapshots, the later one the report's own (the day after the last purchase).
      const drift = members(await reportArchive("sample"), "sample-d")["drift.json"] as any;
      expect(drift.snapshots.map((x: { date: string }) => x.date)).toEqual(["1998-01-01", "1998-07-01"]);
      expect(drift.pairs[0]).toMatchObject({ from: "1998-01-01", to: "1998-07-01", left: 0 });
      expect(drift.pairs[0].common + drift.pairs[0].entered).toBe(2357);
      const outcome = members(await reportArchive("churn"), "churn-c")["value.json"] as any;
      expect(outcome.outcome).toMatchObject({ column: "churned", positive: "yes", n: 300 });
    } finally {
      if (saved === undefined) delete process.env.WORKBENCH_ROOT;
      else process.env.WORKBENCH_ROOT = saved;
    }
  });
});
