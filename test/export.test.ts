import { existsSync, mkdirSync, readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportCommand } from "../loaders/cli/exportCommand.ts";
import { segmentCommand } from "../loaders/cli/segmentCommand.ts";
import { parseRecords } from "../loaders/io/parse.ts";
import { runCommand } from "./helpers/cli.ts";
import { makeProject, removeProject } from "./helpers/project.ts";

/**
 * The CRM export: one row per customer, segments as the CLI and the site have them, e-mails only
 * as SHA-256 hashes. A small project of its own: a customer table with an e-mail column and a
 * transaction log with one.
 */
const EMAIL = (i: number) => `  Person${i}.Secret@Example.ORG `;
function customers(): string {
  const lines = ["id,email,plan,spend,visits"];
  for (let i = 0; i < 90; i++) {
    const g = i % 3;
    lines.push(`c${i},${i === 5 ? "" : EMAIL(i)},${["basic", "pro", "team"][g]},${100 + g * 400 + (i % 7)},${2 + g * 5 + (i % 3)}`);
  }
  return lines.join("\n") + "\n";
}
function log(): string {
  const lines = ["who,mail,day,paid"];
  for (let c = 0; c < 60; c++) {
    const visits = 1 + (c % 4) * 3;
    for (let v = 0; v < visits; v++) lines.push(`u${c},${c === 7 ? "" : `u${c}@shop.example`},2024-${String(1 + ((c + v * 2) % 12)).padStart(2, "0")}-${String(1 + ((c * 7 + v) % 27)).padStart(2, "0")},${10 + (c % 5) * 20 + v}`);
  }
  return lines.join("\n") + "\n";
}

const manifest = {
  datasets: {
    people: { title: "People", kind: "customers", file: "people.csv", format: "csv", columns: { id: "id", email: "personal", plan: "categorical", spend: "spend", visits: "numeric" }, experiment: { seed: 3, algorithms: ["kmeans"] } },
    shop: { title: "Shop", kind: "transactions", file: "shop.csv", format: "csv", columns: { who: "id", mail: "personal", day: "date", paid: "amount" }, experiment: { seed: 3, algorithms: ["kmeans"] } }
  }
};

let dir: string;
beforeAll(() => {
  dir = makeProject(manifest, { "people.csv": customers(), "shop.csv": log() });
  mkdirSync(join(dir, "out"));
});
afterAll(() => removeProject(dir));

const run = (args: string[]) => runCommand(exportCommand, args, { root: dir, cwd: join(dir, "out") });
function csv(path: string): Record<string, string>[] {
  const records: string[][] = [];
  parseRecords(readFileSync(path, "utf8"), "csv", path, (fields) => void records.push([...fields]));
  const [header, ...rows] = records;
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
}

describe("npm run export", () => {
  it("writes every customer with the segments of the CLI's recommended run, names, actions and types", async () => {
    const r = await run(["--dataset", "people", "--out", "people.csv"]);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    const rows = csv(join(dir, "out", "people.csv"));
    expect(rows).toHaveLength(90);
    expect(summary.columns).toEqual(["customer_id", "segment", "segment_name", "action", "high_value", "snapshot_date", "model_version"]);
    // Round trip: the CLI's labels of the same run, renumbered largest first, are the export's segments.
    const cli = JSON.parse((await runCommand(segmentCommand, ["--dataset", "people"], { root: dir })).stdout);
    const labels: number[] = cli.runs.find((x: { id: string }) => x.id === summary.run).labels;
    const pairs = new Set(rows.map((row, i) => `${labels[cli.rows.indexOf(i)]}→${row.segment}`));
    expect(pairs.size).toBe(new Set(labels).size); // a bijection between CLI labels and exported segments
    expect(summary.run).toBe(cli.recommended.runId);
    expect(rows.map((row) => row.customer_id)).toEqual(Array.from({ length: 90 }, (_, i) => `c${i}`));
    // Sizes decrease with the segment number; one name and one action per segment.
    const count = (seg: string) => rows.filter((row) => row.segment === seg).length;
    expect(count("1")).toBeGreaterThanOrEqual(count("2"));
    for (const seg of new Set(rows.map((row) => row.segment))) {
      const of = rows.filter((row) => row.segment === seg);
      expect(new Set(of.map((row) => row.segment_name)).size).toBe(1);
      expect(new Set(of.map((row) => row.action)).size).toBe(1);
    }
    expect(new Set(rows.map((row) => row.model_version)).size).toBe(1);
    expect(summary.notes).toEqual(expect.arrayContaining([expect.stringMatching(/features scaled by zscore/)]));
    expect(r.stderr).toMatch(/^note: features scaled by zscore/m);
    // Same input and settings, same file, byte for byte.
    expect((await run(["--dataset", "people", "--out", "again.csv"])).code).toBe(0);
    expect(readFileSync(join(dir, "out", "again.csv"))).toEqual(readFileSync(join(dir, "out", "people.csv")));
  });

  it("hashes e-mails as SHA-256 of the trimmed, lower-cased address and never writes one in clear", async () => {
    const r = await run(["--dataset", "people", "--out", "hashed.csv", "--hash-email", "email"]);
    expect(r.code, r.stderr).toBe(0);
    const text = readFileSync(join(dir, "out", "hashed.csv"), "utf8");
    const rows = csv(join(dir, "out", "hashed.csv"));
    // printf 'person0.secret@example.org' | sha256sum
    expect(rows[0].email_sha256).toBe("748c81bd759fdb7a7ba5b9941b9e84d92af6bc5c5891f97d9d2516456b9d0a5b");
    expect(rows[5].email_sha256).toBe(""); // no address, no hash
    expect(text).not.toMatch(/@/);
    expect(text.toLowerCase()).not.toContain("secret");
  });

  it("matches known SHA-256 values", async () => {
    const { hashEmail } = await import("../loaders/export/email.ts");
    // Reference values: printf 'alice@example.com' | sha256sum; printf 'bob.smith@example.org' | sha256sum
    expect(hashEmail(" Alice@Example.COM ")).toBe("ff8d9819fc0e12bf0d24892e45987e249a28dce836a85cad60e28eaaa8c6d976");
    expect(hashEmail("bob.smith@example.org")).toBe("91265dd04963dc7d22f987417f835587713411a183da07e6bde1bc9f1949880e");
    expect(hashEmail("   ")).toBe("");
  });

  it("exports a transaction log per customer with CLV, P(alive) and the snapshot, hashing each customer's first address", async () => {
    const r = await run(["--dataset", "shop", "--out", "shop.csv", "--hash-email", "mail", "--snapshot", "2025-01-01"]);
    expect(r.code, r.stderr).toBe(0);
    const rows = csv(join(dir, "out", "shop.csv"));
    expect(rows).toHaveLength(60);
    expect(Object.keys(rows[0])).toEqual(expect.arrayContaining(["clv", "p_alive", "likely_to_churn", "new_customer", "inactive", "email_sha256", "snapshot_date"]));
    expect(new Set(rows.map((row) => row.snapshot_date))).toEqual(new Set(["2025-01-01"]));
    const { hashEmail } = await import("../loaders/export/email.ts");
    expect(rows.find((row) => row.customer_id === "u3")!.email_sha256).toBe(hashEmail("u3@shop.example"));
    expect(rows.find((row) => row.customer_id === "u7")!.email_sha256).toBe("");
  });

  it("exports another run of the grid on request", async () => {
    const r = await run(["--dataset", "people", "--out", "k5.csv", "--run", "kmeans k=5"]);
    expect(r.code, r.stderr).toBe(0);
    expect(new Set(csv(join(dir, "out", "k5.csv")).map((row) => row.segment)).size).toBe(5);
  });

  it("refuses what would publish customers, overwrite data or cannot work, with a clear message", async () => {
    mkdirSync(join(dir, "dist"), { recursive: true });
    symlinkSync(join(dir, "dist"), join(dir, "out", "to-dist"));
    const cases: Array<[string[], RegExp]> = [
      [["--dataset", "people", "--out", join(dir, "dist", "x.csv")], /--out is inside dist\/, which the site publishes/],
      [["--dataset", "people", "--out", join(dir, "src", "x.csv")], /--out is inside src\//],
      [["--dataset", "people", "--out", join(dir, "data", "people.csv")], /--out is inside data\/, whose files are only ever read/],
      [["--dataset", "people", "--out", join(dir, "data", "manifest.json")], /--out is inside data\//],
      [["--dataset", "people", "--out", join(dir, "out", "to-dist", "leak.csv")], /--out is inside dist\//],
      [["--dataset", "people", "--out", "x.csv", "--hash-email", "plan"], /column "plan" does not hold e-mail addresses; found "0 of 90 values shaped like an address"/],
      [["--dataset", "people", "--out", join(dir, "out")], /--out is a folder/],
      [["--dataset", "people"], /--out is required/],
      [["--out", "x.csv"], /--dataset is required/],
      [["--dataset", "nobody", "--out", "x.csv"], /nobody/],
      [["--dataset", "people", "--out", "x.csv", "--snapshot", "2025-01-01"], /--snapshot is for transaction logs only/],
      [["--dataset", "shop", "--out", "x.csv", "--snapshot", "2025-02-30"], /invalid snapshot date/],
      [["--dataset", "people", "--out", "x.csv", "--run", "gmm k=3"], /has no run "gmm k=3", expected one of "kmeans k=2"/],
      [["--dataset", "people", "--out", "x.csv", "--hash-email", "mail"], /the file has no column "mail" to hash, expected one of "id", "email"/]
    ];
    for (const [args, message] of cases) {
      const r = await run(args);
      expect(r.code, args.join(" ")).toBe(1);
      expect(r.stderr, args.join(" ")).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    }
    expect(readFileSync(join(dir, "data", "people.csv"), "utf8")).toBe(customers());
    expect(JSON.parse(readFileSync(join(dir, "data", "manifest.json"), "utf8"))).toEqual(manifest);
    expect(existsSync(join(dir, "dist", "leak.csv"))).toBe(false);
  });
});
