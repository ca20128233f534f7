/**
 * E-mail addresses for audience matching, never in clear: the SHA-256 hex of the trimmed,
 * lower-cased address, the form Google Customer Match and Meta custom audiences accept. The
 * personal column is read for the export only, straight from the file, and only its hashes leave.
 */
import { createHash } from "node:crypto";
import { WorkbenchError } from "../errors.ts";
import { parseRecords } from "../io/parse.ts";
import { textFormat } from "../io/read.ts";
import { textChunks } from "../io/text.ts";
import type { DatasetEntry } from "../manifest/types.ts";

export function hashEmail(address: string): string {
  const normal = address.trim().toLowerCase();
  return normal ? createHash("sha256").update(normal).digest("hex") : "";
}

/**
 * The hashed e-mail of every data row (0-based, as the reader numbers rows), and for a
 * transaction log the first non-empty one of each customer id (`byId`).
 */
export function hashedEmails(entry: DatasetEntry, path: string, shown: string, column: string): { byRow: string[]; byId: Map<string, string> } {
  const chunks = textChunks(path, shown, { encoding: entry.encoding, hint: `Fix "file" of dataset "${entry.name}" in data/manifest.json` });
  const idColumn = Object.entries(entry.columns).find(([, role]) => role === "id")?.[0];
  let emailAt = -1;
  let idAt = -1;
  // Without a header row, columns are named 1, 2, … as the reader names them.
  let header = entry.header === false;
  if (header) {
    emailAt = /^\d+$/.test(column) ? Number(column) - 1 : -1;
    idAt = idColumn === undefined ? -1 : Number(idColumn) - 1;
    if (emailAt < 0) throw new WorkbenchError(`the file has no header row, so --hash-email names a column by its number`, { file: shown, found: column, expected: "1, 2, …" });
  }
  const byRow: string[] = [];
  const raw: string[] = [];
  const byId = new Map<string, string>();
  parseRecords(chunks, textFormat(entry, "--hash-email"), shown, (fields) => {
    if (!header) {
      const names = fields.map((f) => f.trim());
      emailAt = names.indexOf(column);
      idAt = idColumn === undefined ? -1 : names.indexOf(idColumn);
      if (emailAt < 0) {
        throw new WorkbenchError(`the file has no column "${column}" to hash`, { file: shown, expected: `one of ${names.map((n) => `"${n}"`).join(", ")}`, hint: "Name the e-mail column with --hash-email" });
      }
      header = true;
      return;
    }
    raw.push((fields[emailAt] ?? "").trim());
    const hash = hashEmail(fields[emailAt] ?? "");
    byRow.push(hash);
    const id = idAt >= 0 ? (fields[idAt] ?? "").trim() : "";
    if (id && hash && !byId.has(id)) byId.set(id, hash);
  }, { headerFirst: entry.header !== false });
  // Hashing a column that holds no addresses would give an audience nobody can match.
  // (The values themselves are not shown: the column may hold personal data.)
  const addresses = raw.filter((v) => v !== "");
  const valid = addresses.filter((v) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v)).length;
  if (addresses.length && valid < 0.8 * addresses.length) {
    throw new WorkbenchError(`column "${column}" does not hold e-mail addresses`, {
      file: shown,
      found: `${valid} of ${addresses.length} values shaped like an address`,
      expected: "an e-mail address in at least 80% of the rows that have a value",
      hint: "Name the e-mail column with --hash-email"
    });
  }
  return { byRow, byId };
}
