/**
 * `npm run --silent export -- --dataset NAME --out FILE.csv [--run ID] [--snapshot DATE]
 * [--hash-email COLUMN]`: segment membership for a CRM or an ad audience, one row per customer
 * (export/membership.ts), computed as the report computes it. The file is the user's: never
 * written into the site (dist/, src/) nor into data/.
 */
import { relative } from "node:path";
import { WorkbenchError } from "../errors.ts";
import { hashedEmails } from "../export/email.ts";
import { membership } from "../export/membership.ts";
import { toCsv } from "../export/csv.ts";
import { parseSnapshot } from "../features/rfm.ts";
import { findDataset, loadManifest } from "../manifest/load.ts";
import { dataFilePath, projectRoot } from "../paths.ts";
import { analyze } from "../report/analyze.ts";
import { preparationNotes } from "../experiment/pipeline.ts";
import { textFormat } from "../io/read.ts";
import { parseFlags, userPath, type CommandIO } from "./command.ts";
import { checkedOut, writeAtomically } from "./outputFile.ts";

export const EXPORT_USAGE = `Usage: npm run --silent export -- --dataset NAME --out FILE.csv [options]

Writes one row per customer of a dataset of data/manifest.json: customer_id, segment (1 = the
largest, as on the site), segment_name, action, the segment types (1/0; category_lover names the
category), clv and p_alive (transaction logs) or outcome_probability (tables with an outcome),
snapshot_date and model_version. UTF-8 CSV (RFC 4180). Progress on stderr; a JSON summary on stdout.

  --dataset NAME        a dataset of data/manifest.json
  --out FILE.csv        where to write (relative to the folder you run npm in); not in dist/, src/ or data/
  --run ID              a run of the grid instead of the recommended one, e.g. "kmeans k=5"
  --snapshot DATE       transaction logs: the first day not observed, YYYY-MM-DD (default: the day after the last purchase)
  --hash-email COLUMN   add email_sha256: the SHA-256 of the trimmed, lower-cased address in COLUMN
                        (as Google Customer Match and Meta custom audiences take it); the address
                        itself is never written

snapshot_date is the log's snapshot, or for a customer table the build date (SOURCE_DATE_EPOCH when
set). model_version changes when the data, its manifest entry or the run changes.
`;

const OPTIONS = {
  help: { type: "boolean" },
  dataset: { type: "string" },
  out: { type: "string" },
  run: { type: "string" },
  snapshot: { type: "string" },
  "hash-email": { type: "string" }
} as const;

export async function exportCommand(argv: string[], io: CommandIO): Promise<void> {
  const v = parseFlags(argv, OPTIONS);
  if (v.help) return io.out(EXPORT_USAGE);
  if (typeof v.dataset !== "string") throw new WorkbenchError("--dataset is required", { hint: "Name a dataset of data/manifest.json, e.g. --dataset cdnow" });
  if (typeof v.out !== "string") throw new WorkbenchError("--out is required", { hint: "Name the CSV file to write, e.g. --out segments.csv" });
  const entry = structuredClone(findDataset(loadManifest(), v.dataset));
  if (typeof v.snapshot === "string") {
    if (entry.kind !== "transactions") throw new WorkbenchError("--snapshot is for transaction logs only", { found: `dataset "${entry.name}" is a customer table` });
    parseSnapshot(v.snapshot);
    entry.experiment.snapshot = v.snapshot;
  }
  // --hash-email reads the e-mails from the file itself (a database's personal columns are never read).
  const dataPath = typeof v["hash-email"] === "string" && textFormat(entry, "--hash-email") ? dataFilePath(entry.file, entry.name) : "";
  const out = checkedOut(userPath(io, v.out), "--out", { example: "segments.csv", why: "the export names customers" });

  // The e-mails first: a wrong column is found before the grid runs.
  const hashed = typeof v["hash-email"] === "string" ? hashedEmails(entry, dataPath, relative(projectRoot(), dataPath) || dataPath, v["hash-email"]) : null;
  const a = await analyze(entry, (m) => io.err(`  ${m}\n`), { runId: typeof v.run === "string" ? v.run : undefined });
  const { prepared } = a.data;
  const emails = hashed && (a.data.transactions ? prepared.ids.map((id) => hashed.byId.get(id) ?? "") : Array.from(prepared.rows, (r) => hashed.byRow[r] ?? ""));
  const table = membership(a, emails ?? undefined);
  writeAtomically(out, toCsv(table.header, table.rows), "the export");
  // What reading and preparation decided (rows dropped, ids repeated, ...), as the other commands say it.
  const notes = preparationNotes(a.data);
  for (const note of notes) io.err(`note: ${note}\n`);
  io.out(
    JSON.stringify({ dataset: entry.name, out, rows: table.rows.length, columns: table.header, run: a.segmentation.run.id, snapshot: table.snapshot, modelVersion: table.modelVersion, notes }) + "\n"
  );
}
