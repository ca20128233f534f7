/**
 * The committed cache of LLM persona summaries, data/personas/<dataset>.json. Builds read only
 * this file, so they stay offline and byte-identical; `npm run personas` writes it. Format:
 *
 *   {"version": 1, "entries": {"<sha256 of the canonical request>": {"segment": 0, "model": "...", "text": "..."}}}
 *
 * entries sorted by key, 2-space indent, trailing newline, no timestamps: the same answers always
 * give the same bytes, so the file diffs cleanly.
 *
 * An entry counts only while its key is the hash of the request that the current input gives for
 * its segment with its recorded model: a changed segment (name, share, behaviours...) simply
 * finds no entry and the page shows the template text. Because the model is read from the entry,
 * a build needs no environment variable to find answers written with any model.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { relative, resolve } from "node:path";
import { WorkbenchError } from "../errors.ts";
import { dataDir, projectRoot } from "../paths.ts";
import { llmModel, personaRequest, requestKey } from "./llm.ts";
import type { PersonaInput } from "./types.ts";

export interface CacheEntry {
  segment: number;
  model: string;
  text: string;
}

export interface PersonaCache {
  version: 1;
  entries: Record<string, CacheEntry>;
}

export interface CachedSummary {
  segment: number;
  text: string;
  model: string;
}

// The manifest's rule for dataset names; checked again here because the name becomes a path.
const DATASET_NAME = /^[a-z0-9_-]{1,64}$/;

export function personaCachePath(dataset: string, root = projectRoot()): string {
  if (!DATASET_NAME.test(dataset)) {
    throw new WorkbenchError("invalid dataset name", { found: dataset, expected: "lower-case letters, digits, - and _ (at most 64), as in data/manifest.json" });
  }
  return resolve(dataDir(root), "personas", `${dataset}.json`);
}

/** The cache file's path relative to the project, with "/" (for messages and the CLI's summary). */
export function personaCacheFile(dataset: string, root = projectRoot()): string {
  return relative(root, personaCachePath(dataset, root)).split("\\").join("/");
}

/** The dataset's cache; a missing file is an empty cache, a malformed one an error naming it. */
export function readPersonaCache(dataset: string, root = projectRoot()): PersonaCache {
  const path = personaCachePath(dataset, root);
  const file = personaCacheFile(dataset, root);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { version: 1, entries: {} };
    throw new WorkbenchError(`cannot read the persona cache (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, { file, hint: "Check its permissions, or delete it" });
  }
  const bad = (what: string, field?: string): never => {
    throw new WorkbenchError(`malformed persona cache: ${what}`, {
      file,
      field,
      hint: "Delete the file (the report then shows the template text, and `npm run personas` asks again) or fix it"
    });
  };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return bad(`not JSON (${(error as Error).message})`);
  }
  if (!isObject(json)) return bad("expected a JSON object");
  if (json.version !== 1) return bad(`unknown version ${JSON.stringify(json.version)}, expected 1`, "version");
  if (!isObject(json.entries)) return bad("expected an object of entries", "entries");
  const entries: Record<string, CacheEntry> = {};
  for (const [key, e] of Object.entries(json.entries)) {
    const field = `entries.${key}`;
    if (!/^[0-9a-f]{64}$/.test(key)) bad("a key is not a SHA-256 in hex", field);
    if (!isObject(e)) return bad("expected an object {segment, model, text}", field);
    if (!Number.isSafeInteger(e.segment) || (e.segment as number) < 0) bad("segment must be a whole number ≥ 0", `${field}.segment`);
    if (typeof e.model !== "string" || !e.model) bad("model must be a non-empty string", `${field}.model`);
    if (typeof e.text !== "string" || !e.text.trim()) bad("text must be a non-empty string", `${field}.text`);
    entries[key] = { segment: e.segment as number, model: e.model as string, text: e.text as string };
  }
  return { version: 1, entries };
}

function isObject(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === "object" && !Array.isArray(x);
}

/** The file's exact bytes: keys sorted, fields in a fixed order, 2-space indent, final newline. */
export function serializePersonaCache(cache: PersonaCache): string {
  const entries: Record<string, CacheEntry> = {};
  for (const key of Object.keys(cache.entries).sort()) {
    const { segment, model, text } = cache.entries[key];
    entries[key] = { segment, model, text };
  }
  return JSON.stringify({ version: 1, entries }, null, 2) + "\n";
}

/** Writes the cache atomically (temporary file, then rename), so an interrupted run never leaves half a file. */
export function writePersonaCache(dataset: string, cache: PersonaCache, root = projectRoot()): void {
  const path = personaCachePath(dataset, root);
  mkdirSync(resolve(path, ".."), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, serializePersonaCache(cache));
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/** Whether an entry is the answer to the request the current input gives for its segment and model. */
export function isCurrentEntry(input: PersonaInput, key: string, entry: CacheEntry): boolean {
  if (!input.segments.some((s) => s.segment === entry.segment)) return false;
  return requestKey(personaRequest(input, entry.segment, entry.model)) === key;
}

/**
 * For each segment of `input` (in its order), the cached answer to its exact request, else null.
 * The answer for `model` (default WORKBENCH_LLM_MODEL, else the default model) comes first; else
 * any current entry for that segment, the first by key, so the choice never depends on file order.
 * `npm run personas` keeps at most one current entry per segment, so normally there is no choice.
 */
export function cachedSummaries(input: PersonaInput, model = llmModel(), root = projectRoot()): Array<CachedSummary | null> {
  const { entries } = readPersonaCache(input.dataset, root);
  const keys = Object.keys(entries).sort();
  return input.segments.map(({ segment }) => {
    const preferred = requestKey(personaRequest(input, segment, model));
    const key = entries[preferred] ? preferred : keys.find((k) => entries[k].segment === segment && isCurrentEntry(input, k, entries[k]));
    return key ? { segment, text: entries[key].text, model: entries[key].model } : null;
  });
}
