/**
 * `npm run --silent personas -- --dataset NAME`: asks an LLM (WORKBENCH_LLM_URL) for a persona
 * summary of each segment that has no cached answer yet, and stores the answers in
 * data/personas/NAME.json for the build to read. The only command that talks to an LLM; nothing
 * else in the workbench needs it. Progress on stderr, a JSON summary on stdout.
 */
import { WorkbenchError } from "../errors.ts";
import { isCurrentEntry, personaCacheFile, readPersonaCache, writePersonaCache, type PersonaCache } from "../personas/cache.ts";
import { personaInputFor } from "../personas/inputs.ts";
import { askLlm, chatCompletionsUrl, llmModel, personaRequest, requestKey } from "../personas/llm.ts";
import { integerFlag, parseFlags, type CommandIO } from "./command.ts";

// Local models on a CPU can take minutes for a first answer (loading the model included).
const DEFAULT_TIMEOUT_S = 120;

export const PERSONAS_USAGE = `Usage: npm run --silent personas -- --dataset NAME [--timeout SECONDS] [--refresh]

Asks an LLM for a 2-3 sentence persona summary of each segment of a dataset and stores the answers
in data/personas/NAME.json (commit it). The build reads only that file, so it stays offline and
byte-identical; a segment without an answer shows the template text, and the report works without
any LLM at all. Only aggregates are sent (dataset title and description, segment names, shares,
behaviours, value, types and action), never rows, ids or personal columns; at temperature 0.

  --dataset NAME       a dataset of data/manifest.json
  --timeout SECONDS    how long to wait for each answer (default ${DEFAULT_TIMEOUT_S})
  --refresh            ask again for segments that already have an answer

Environment
  WORKBENCH_LLM_URL    required: an OpenAI-compatible server, e.g. http://127.0.0.1:11434 (Ollama),
                       http://127.0.0.1:8080 (llama.cpp server), http://127.0.0.1:8000 (vLLM);
                       a URL ending in /v1 or /v1/chat/completions works too
  WORKBENCH_LLM_MODEL  the model to ask (default ${llmModel({})}); changing it asks again
  WORKBENCH_LLM_KEY    if set, sent as "Authorization: Bearer KEY"

Output: {dataset, cacheFile, asked, cached, failed} on stdout; progress on stderr. On a failure the
answers received so far are kept and the exit code is 1.
`;

const OPTIONS = {
  help: { type: "boolean" },
  dataset: { type: "string" },
  timeout: { type: "string" },
  refresh: { type: "boolean" }
} as const;

export async function personasCommand(argv: string[], io: CommandIO): Promise<void> {
  const v = parseFlags(argv, OPTIONS) as { help?: boolean; dataset?: string; timeout?: string; refresh?: boolean };
  if (v.help) {
    io.out(PERSONAS_USAGE);
    return;
  }
  if (v.dataset === undefined) throw new WorkbenchError("--dataset NAME is required", { hint: "Name a dataset of data/manifest.json; run with --help for the options" });
  const timeoutS = v.timeout === undefined ? DEFAULT_TIMEOUT_S : integerFlag(v.timeout, "--timeout", 1);
  const baseUrl = process.env.WORKBENCH_LLM_URL?.trim();
  if (!baseUrl) {
    throw new WorkbenchError("WORKBENCH_LLM_URL is not set: this command needs an OpenAI-compatible LLM server", {
      hint: "Set it to the server's base URL, e.g. WORKBENCH_LLM_URL=http://127.0.0.1:11434 for Ollama (WORKBENCH_LLM_MODEL picks the model). The report works without it: segments without a cached answer show the template text"
    });
  }
  const endpoint = chatCompletionsUrl(baseUrl); // refuses a bad URL before the analysis runs
  const dataset = v.dataset;
  const model = llmModel();
  const cacheFile = personaCacheFile(dataset);
  const progress = (m: string) => io.err(`${m}\n`);

  // Read first: a malformed cache stops the command before the analysis and before any request.
  const old = readPersonaCache(dataset);
  const input = await personaInputFor(dataset, progress);

  // Keep current answers only, at most one per segment (the build then never has to choose
  // between models); stale ones describe segments that no longer exist.
  const cache: PersonaCache = { version: 1, entries: {} };
  for (const [key, entry] of Object.entries(old.entries)) {
    if (isCurrentEntry(input, key, entry)) cache.entries[key] = entry;
  }
  let dirty = Object.keys(cache.entries).length !== Object.keys(old.entries).length;

  const todo: Array<{ segment: number; name: string; key: string; request: ReturnType<typeof personaRequest> }> = [];
  let cached = 0;
  for (const s of input.segments) {
    const request = personaRequest(input, s.segment, model);
    const key = requestKey(request);
    if (cache.entries[key] && !v.refresh) cached++;
    else todo.push({ segment: s.segment, name: s.name, key, request });
  }

  let asked = 0;
  let failure: WorkbenchError | null = null;
  let failedAt = "";
  for (const [i, t] of todo.entries()) {
    progress(`asking ${model} at ${endpoint} about segment ${t.segment} "${t.name}" (${i + 1}/${todo.length})`);
    try {
      const text = await askLlm(baseUrl, t.request, { timeoutMs: timeoutS * 1000 });
      for (const [key, entry] of Object.entries(cache.entries)) if (entry.segment === t.segment) delete cache.entries[key];
      cache.entries[t.key] = { segment: t.segment, model, text };
      asked++;
      // Saved after each answer: an interrupted run keeps what it got.
      writePersonaCache(dataset, cache);
      dirty = false;
    } catch (error) {
      if (!(error instanceof WorkbenchError)) throw error;
      failure = error;
      failedAt = `segment ${t.segment} "${t.name}"`;
      break; // the next requests would most likely fail the same way
    }
  }
  if (dirty) writePersonaCache(dataset, cache);

  const failed = todo.length - asked;
  io.out(JSON.stringify({ dataset, cacheFile, asked, cached, failed }) + "\n");
  if (failure) {
    throw new WorkbenchError(`${failedAt}: ${failure.message}`, {
      hint: `${asked ? `${asked} new answer${asked === 1 ? "" : "s"} saved in ${cacheFile}` : "no new answer saved"}; the report shows the template text for the ${failed} segment${failed === 1 ? "" : "s"} without one. Run the command again to ask for ${failed === 1 ? "it" : "them"}`
    });
  }
  progress(`${cacheFile}: ${asked} new, ${cached} already cached`);
}
