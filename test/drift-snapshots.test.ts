import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { driftCommand } from "../loaders/cli/driftCommand.ts";
import { segmentCommand } from "../loaders/cli/segmentCommand.ts";
import { addCadence, nextBoundary, snapshotRefs } from "../loaders/drift/snapshots.ts";
import { formatDay, parseSnapshot } from "../loaders/features/rfm.ts";
import { parseManifest } from "../loaders/manifest/load.ts";
import { readDataset } from "../loaders/io/read.ts";
import { Rng } from "../loaders/rng.ts";
import { runCommand } from "./helpers/cli.ts";
import { makeProject, removeProject } from "./helpers/project.ts";

/**
 * Snapshots and drift end to end. A customer table with three planted segments at t0; at t1, 60
 * customers of segment A have moved into B's region, 40 customers are gone and 30 new ones joined
 * C. The drift command must recover exactly that.
 */
const CENTRES = { A: [0, 0], B: [10, 0], C: [0, 10] } as const;
type Group = keyof typeof CENTRES;

function table(rows: Array<{ id: string; group: Group }>, seed: number): string {
  const rng = new Rng(seed);
  const lines = ["id,spend,visits"];
  for (const r of rows) {
    const [x, y] = CENTRES[r.group];
    lines.push(`${r.id},${(x + rng.normal()).toFixed(3)},${(y + rng.normal()).toFixed(3)}`);
  }
  return lines.join("\n") + "\n";
}

const groups: Group[] = ["A", "B", "C"];
const t0 = Array.from({ length: 600 }, (_, i) => ({ id: `c${i}`, group: groups[i % 3] }));
// 60 of A move to B; the last 40 customers (mixed groups) leave; 30 new customers join C.
const moved = new Set(t0.filter((r) => r.group === "A").slice(0, 60).map((r) => r.id));
const gone = new Set(t0.slice(-40).map((r) => r.id));
const t1 = [
  ...t0.filter((r) => !gone.has(r.id)).map((r) => ({ id: r.id, group: (moved.has(r.id) ? "B" : r.group) as Group })),
  ...Array.from({ length: 30 }, (_, i) => ({ id: `n${i}`, group: "C" as Group }))
];

const manifest = {
  datasets: {
    base: {
      title: "Base",
      kind: "customers",
      file: "base-q2.csv",
      format: "csv",
      columns: { id: "id", spend: "numeric", visits: "numeric" },
      snapshots: [
        { date: "2024-04-01", file: "base-q2.csv" },
        { date: "2024-01-01", file: "base-q1.csv" }
      ],
      experiment: { algorithms: ["kmeans"], grid: { kmeans: { k: [2, 3, 4] } }, recommend: { kRange: [2, 6] } }
    },
    noid: {
      title: "No id",
      kind: "customers",
      file: "base-q2.csv",
      format: "csv",
      columns: { spend: "numeric", visits: "numeric" },
      snapshots: [
        { date: "2024-01-01", file: "base-q1.csv" },
        { date: "2024-04-01", file: "base-q2.csv" }
      ]
    },
    log: { title: "Log", kind: "transactions", file: "log.csv", format: "csv", columns: { who: "id", day: "date", paid: "amount" }, experiment: { algorithms: ["kmeans"] } }
  }
};

function log(): string {
  const lines = ["who,day,paid"];
  for (let c = 0; c < 80; c++) {
    // Customers c < 60 start in January; the others first buy in May (new between the snapshots).
    const start = c < 60 ? 0 : 120;
    for (let v = 0; v < 1 + (c % 5); v++) lines.push(`u${c},${formatDay(parseSnapshot("2024-01-02") + start + v * (7 + (c % 11)))},${10 + (c % 7) * 15 + v}`);
  }
  return lines.join("\n") + "\n";
}

let dir: string;
beforeAll(() => {
  dir = makeProject(manifest, { "base-q1.csv": table(t0, 1), "base-q2.csv": table(t1, 2), "log.csv": log() });
});
afterAll(() => removeProject(dir));
const drift = (args: string[]) => runCommand(driftCommand, args, { root: dir });

describe("npm run drift", () => {
  it("recovers a planted migration between two customer-table snapshots", async () => {
    const r = await drift(["--dataset", "base"]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect([out.from, out.to]).toEqual(["2024-01-01", "2024-04-01"]);
    expect(out.customers).toEqual({ from: 600, to: 590 });
    expect(out.common).toBe(560);
    expect(out.entered).toBe(30);
    expect(out.left).toBe(40);
    // The migration's rows are the segments of the recommended run of segment at FROM.
    const seg = JSON.parse((await runCommand(segmentCommand, ["--input", `${dir}/data/base-q1.csv`, "--id", "id", "--features", "spend,visits", "--algorithm", "kmeans", "--k", String(out.segments.length)], { root: dir })).stdout);
    expect(out.run).toBe(seg.runs[0].id);
    const labelOf = new Map<string, number>(seg.ids.map((id: string, i: number) => [id, seg.runs[0].labels[i]]));
    expect(out.migration.from).toEqual([...new Set(seg.runs[0].labels as number[])].sort());
    const planted = (g: Group) => labelOf.get(t0.find((r) => r.group === g)!.id)!;
    const [a, b, c] = groups.map(planted);
    const count = (from: number, to: number) => out.migration.counts[out.migration.from.indexOf(from)][out.migration.to.indexOf(to)];
    expect(count(a, b)).toBe(60);
    expect(count(a, a)).toBe(t0.filter((x) => x.group === "A" && !moved.has(x.id) && !gone.has(x.id)).length);
    expect(count(b, b)).toBe(t0.filter((x) => x.group === "B" && !gone.has(x.id)).length);
    expect(count(c, a) + count(c, b) + count(b, a) + count(b, c) + count(a, c)).toBe(0);
    expect(out.migration.entering[out.migration.to.indexOf(c)]).toBe(30);
    expect(out.migration.leaving.reduce((s: number, x: number) => s + x, 0)).toBe(40);
    // A lost 60 of its ~200 customers: its share fell by about 9 points, a change worth watching.
    expect(out.stayed).toBeCloseTo(500 / 560, 5);
    expect(out.verdict).not.toBe("stable");
    expect(out.reasons.join(" ")).toMatch(/share of all customers changed by \d/);
    // Features were drawn from the same distribution at both snapshots but for the movers.
    expect(Object.keys(out.psi).sort()).toEqual(["spend", "visits"]);
    expect(out.ari).toBeGreaterThan(0.9);
  });

  it("compares two dates of a transaction log: new customers enter, nobody leaves a log", async () => {
    const r = await drift(["--dataset", "log", "--from", "2024-04-01", "--to", "2024-07-05"]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.customers).toEqual({ from: 60, to: 80 });
    expect(out.entered).toBe(20);
    expect(out.left).toBe(0);
    expect(out.common).toBe(60);
    expect(out.migration.counts.flat().reduce((s: number, x: number) => s + x, 0)).toBe(60);
    expect(out.pairs).toHaveLength(1);
    expect(out.notes.join(" ")).toMatch(/2024-04-01: .*transaction row\(s\) grouped into/);
    expect(Object.keys(out.psi)).toContain("recency");
    expect(["stable", "monitor", "resegment"]).toContain(out.verdict);
  });

  it("refuses what it cannot compare, with a message", async () => {
    const cases: Array<[string[], RegExp]> = [
      [["--dataset", "log", "--from", "2024-04-01"], /--to is missing/],
      [["--dataset", "log", "--from", "2024-08-01", "--to", "2024-04-01"], /--from must be before --to/],
      [["--dataset", "log", "--from", "2024-02-30", "--to", "2024-04-01"], /--from: not a date on the calendar/],
      [["--dataset", "base", "--from", "2024-01-01", "--to", "2024-04-01"], /--from and --to are dates of a transaction log/],
      [["--dataset", "log"], /dataset "log" has no snapshots/],
      [["--dataset", "noid"], /dataset "noid" has no id column, so its snapshots cannot be matched customer by customer/],
      [["--dataset", "log", "--from", "2024-04-01", "--to", "2024-09-01"], /snapshot 2024-09-01 is after the log ends: its last purchase is on 2024-07-04/],
      [["--dataset", "log", "--from", "2023-01-01", "--to", "2024-04-01"], /snapshot 2023-01-01 is before the log's first purchase/]
    ];
    for (const [args, message] of cases) {
      const r = await drift(args);
      expect(r.code, args.join(" ")).not.toBe(0);
      expect(r.stderr, args.join(" ")).toMatch(message);
      expect(r.stderr, "refused before the grid runs").not.toMatch(/\[1\//);
    }
  });
});

describe("snapshots in the manifest", () => {
  const entry = (snapshots: unknown, kind = "customers", file = "now.csv") =>
    parseManifest({ datasets: { t: { title: "T", kind, file, format: "csv", columns: kind === "customers" ? { x: "numeric" } : { c: "id", d: "date", a: "amount" }, snapshots } } }, "m.json").datasets[0];

  it("are validated: two at least, dated, the table's own file the latest", () => {
    expect(entry([{ date: "2024-04-01", file: "now.csv" }, { date: "2024-01-01", file: "then.csv" }]).snapshots).toEqual({ kind: "files", files: [{ date: "2024-01-01", file: "then.csv" }, { date: "2024-04-01", file: "now.csv" }] });
    expect(() => entry([{ date: "2024-04-01", file: "now.csv" }])).toThrow(/needs at least two snapshots/);
    expect(() => entry([{ date: "2024-01-01", file: "now.csv" }, { date: "2024-04-01", file: "later.csv" }])).toThrow(/the dataset's own file must be the latest snapshot/);
    expect(() => entry([{ date: "2024-13-01", file: "now.csv" }, { date: "2024-01-01", file: "a.csv" }])).toThrow(/is not a day on the calendar/);
    expect(() => entry("quarterly")).toThrow(/must be a list/);
    expect(entry("quarterly", "transactions").snapshots).toEqual({ kind: "cadence", cadence: "quarterly", last: 4 });
    expect(entry({ cadence: "monthly", last: 3 }, "transactions").snapshots).toEqual({ kind: "cadence", cadence: "monthly", last: 3 });
    expect(() => entry("weekly", "transactions")).toThrow(/unknown value; found "weekly", expected one of monthly, quarterly, yearly/);
    expect(entry(["2024-04-01", "2024-01-01"], "transactions").snapshots).toEqual({ kind: "dates", dates: ["2024-01-01", "2024-04-01"] });
    expect(entry(undefined as never).refresh).toBe("quarterly");
  });

  it("a cadence gives the period starts up to the report's snapshot, and that snapshot", () => {
    const e = parseManifest(manifest, "m.json").datasets.find((d) => d.name === "log")!;
    const withCadence = { ...e, snapshots: { kind: "cadence" as const, cadence: "quarterly" as const, last: 4 } };
    const source = readDataset(withCadence, `${dir}/data/log.csv`);
    const refs = snapshotRefs(withCadence, source);
    const last = formatDay(Math.max(...Array.from(source.table.array("day") as ArrayLike<number>, (ms) => ms / 86_400_000)) + 1);
    expect(refs.map((r) => r.date)).toEqual(["2024-04-01", "2024-07-01", last].slice(-4));
  });

  it("period arithmetic: boundaries and review dates", () => {
    expect(formatDay(nextBoundary(parseSnapshot("2024-02-15"), "quarterly"))).toBe("2024-04-01");
    expect(formatDay(nextBoundary(parseSnapshot("2024-04-01"), "quarterly"))).toBe("2024-07-01");
    expect(formatDay(nextBoundary(parseSnapshot("2024-12-31"), "monthly"))).toBe("2025-01-01");
    expect(formatDay(nextBoundary(parseSnapshot("2024-06-30"), "yearly"))).toBe("2025-01-01");
    expect(addCadence("2024-01-31", "monthly")).toBe("2024-02-29");
    expect(addCadence("1998-06-30", "quarterly")).toBe("1998-09-30");
    expect(addCadence("2024-02-29", "yearly")).toBe("2025-02-28");
  });
});
