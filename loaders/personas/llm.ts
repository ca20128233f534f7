/**
 * The one place that talks to an LLM: builds the request for one segment from its aggregates,
 * names it by a hash (the cache key), and sends it to an OpenAI-compatible server (Ollama,
 * llama.cpp server, vLLM). Only `npm run personas` calls askLlm; builds read the cache only.
 */
import { createHash } from "node:crypto";
import { WorkbenchError } from "../errors.ts";
import type { PersonaInput, PersonaSegment } from "./types.ts";

export interface ChatMessage {
  role: "system" | "user";
  content: string;
}

/** Exactly what is sent: nothing but these three keys, so nothing else can leak or vary. */
export interface ChatRequest {
  model: string;
  temperature: 0;
  messages: ChatMessage[];
}

export const DEFAULT_LLM_MODEL = "llama3.1";

/** WORKBENCH_LLM_MODEL, else the default (what `ollama pull llama3.1` provides). */
export function llmModel(env: NodeJS.ProcessEnv = process.env): string {
  return env.WORKBENCH_LLM_MODEL?.trim() || DEFAULT_LLM_MODEL;
}

const SYSTEM_PROMPT = [
  "You write customer persona summaries for a marketing stakeholder.",
  "You are given the aggregate profile of one customer segment of a dataset.",
  "Write 2 to 3 sentences of plain text, with no markdown, no lists and no headings, saying who these customers are and what to do about them.",
  "Use only the figures given and invent no numbers or facts."
].join(" ");

/**
 * The request for segment number `segment` (PersonaSegment.segment, not the array index). Fields
 * are picked one by one, never spread, so anything else attached to the input stays out.
 */
export function personaRequest(input: PersonaInput, segment: number, model: string): ChatRequest {
  const s = input.segments.find((x) => x.segment === segment);
  if (!s) throw new Error(`personaRequest: no segment ${segment} in ${input.dataset}`);
  const others = input.segments.filter((x) => x !== s).map((x) => `${x.name} (${percent(x.share)})`);
  const lines = [
    `Dataset: ${input.title}`,
    ...(input.description ? [`About the dataset: ${input.description}`] : []),
    "",
    `Segment: ${s.name} (${percent(s.share)} of customers)`,
    ...list("Key behaviours", s.behaviours),
    ...list("Value", s.value),
    ...list("Over-represented customer types", s.types),
    `Recommended action: ${s.action}`
  ];
  if (others.length) lines.push("", `Other segments, for contrast: ${others.join(", ")}`);
  return {
    model,
    temperature: 0,
    messages: [
      { role: "system", content: SYSTEM_PROMPT },
      { role: "user", content: lines.join("\n") }
    ]
  };
}

// One decimal: small numeric drift between machines must not change the request (and its key).
function percent(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

function list(heading: string, items: PersonaSegment["behaviours"]): string[] {
  return items.length ? [`${heading}:`, ...items.map((x) => `- ${x}`)] : [];
}

/** SHA-256 (hex) of the request as canonical JSON: the cache key. */
export function requestKey(request: ChatRequest): string {
  return createHash("sha256").update(canonicalJson(request)).digest("hex");
}

/** JSON with object keys sorted at every level and no whitespace, so equal requests hash equally. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/**
 * The chat-completions URL from WORKBENCH_LLM_URL. Accepted: a server's base URL
 * (http://127.0.0.1:11434), the same ending in /v1, or the full /v1/chat/completions URL;
 * trailing slashes are ignored. Anything but an http(s) URL is refused.
 */
export function chatCompletionsUrl(baseUrl: string): string {
  let url: URL | null = null;
  try {
    url = new URL(baseUrl.trim());
  } catch {
    // Not a URL at all: refused below with the same message.
  }
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) {
    throw new WorkbenchError("WORKBENCH_LLM_URL is not an http(s) URL", {
      found: baseUrl,
      expected: "the base URL of an OpenAI-compatible server",
      hint: "Give the server's base URL, e.g. http://127.0.0.1:11434 for Ollama, http://127.0.0.1:8080 for a llama.cpp server, http://127.0.0.1:8000 for vLLM"
    });
  }
  // fetch refuses user:password in a URL, and a secret has no place in messages either.
  if (url.username || url.password) {
    throw new WorkbenchError("WORKBENCH_LLM_URL contains a user name or password", { hint: "Remove them from the URL and set WORKBENCH_LLM_KEY to the API key instead (sent as a bearer token)" });
  }
  const path = url.pathname.replace(/\/+$/, "");
  url.pathname = path.endsWith("/v1/chat/completions") ? path : path.endsWith("/v1") ? `${path}/chat/completions` : `${path}/v1/chat/completions`;
  return url.href;
}

export interface AskOptions {
  timeoutMs: number;
  /** Sent as a bearer token; default WORKBENCH_LLM_KEY. */
  apiKey?: string;
}

/**
 * Sends one request and returns the answer's text, trimmed. Every way it can fail (invalid URL,
 * unreachable, timeout, HTTP error, a body that is not an OpenAI answer, empty text) is a
 * WorkbenchError naming the URL and what to do.
 */
export async function askLlm(baseUrl: string, request: ChatRequest, { timeoutMs, apiKey = process.env.WORKBENCH_LLM_KEY }: AskOptions): Promise<string> {
  const endpoint = chatCompletionsUrl(baseUrl);
  const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json" };
  if (apiKey) headers.authorization = `Bearer ${apiKey}`;
  let status: number;
  let statusText: string;
  let body: string;
  try {
    // The timeout covers the whole exchange, body included: a server that stalls mid-answer fails too.
    const response = await fetch(endpoint, { method: "POST", headers, body: JSON.stringify(request), signal: AbortSignal.timeout(timeoutMs) });
    status = response.status;
    statusText = response.statusText;
    body = await response.text();
  } catch (error) {
    throw networkError(error, endpoint, timeoutMs);
  }
  const serverHint = `WORKBENCH_LLM_URL must be an OpenAI-compatible server (its /v1/chat/completions answers chat requests)`;
  if (status < 200 || status > 299) {
    throw new WorkbenchError(`the LLM at ${endpoint} answered HTTP ${status}${statusText ? ` ${statusText}` : ""}: ${snippet(body)}`, { hint: httpHint(status, request.model) });
  }
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new WorkbenchError(`the LLM at ${endpoint} answered with a body that is not JSON: ${snippet(body)}`, { hint: serverHint });
  }
  const content = (json as { choices?: Array<{ message?: { content?: unknown } }> } | null)?.choices?.[0]?.message?.content;
  if (typeof content !== "string") {
    throw new WorkbenchError(`the LLM at ${endpoint} answered without text (no choices[0].message.content): ${snippet(body)}`, { hint: serverHint });
  }
  const text = content.trim();
  if (!text) throw new WorkbenchError(`the LLM at ${endpoint} answered with empty text`, { hint: `Run again, or try another model with WORKBENCH_LLM_MODEL (now "${request.model}")` });
  return text;
}

function networkError(error: unknown, shown: string, timeoutMs: number): WorkbenchError {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string; errors?: Array<{ code?: string }> } };
  if (e?.name === "TimeoutError" || e?.name === "AbortError") {
    return new WorkbenchError(`the LLM at ${shown} gave no answer within ${timeoutMs / 1000} s`, {
      hint: "Check that the server is running and has the model loaded (the first request may spend a while loading it), or allow more time with --timeout SECONDS"
    });
  }
  // undici reports socket errors as "fetch failed" with the system error as the cause (or, when
  // several addresses were tried, an AggregateError of them).
  const code = e?.cause?.code ?? e?.cause?.errors?.[0]?.code;
  const reason = code ?? e?.cause?.message ?? e?.message ?? String(error);
  const why = code === "ECONNREFUSED" ? "connection refused" : code === "ENOTFOUND" ? "unknown host" : reason === "bad port" ? "fetch refuses this port as unsafe; use another one" : reason;
  return new WorkbenchError(`cannot reach the LLM at ${shown} (${why})`, {
    hint: "Start the server (e.g. `ollama serve`) or correct WORKBENCH_LLM_URL; the report works without it and shows the template text"
  });
}

function httpHint(status: number, model: string): string {
  if (status === 401 || status === 403) return "Set WORKBENCH_LLM_KEY to the server's API key";
  if (status === 404) return `Check WORKBENCH_LLM_URL (the server's base URL, e.g. http://127.0.0.1:11434) and that the server has the model "${model}" (set another with WORKBENCH_LLM_MODEL)`;
  return `Check the server's log, and that it has the model "${model}" (set another with WORKBENCH_LLM_MODEL)`;
}

// The first 200 characters on one line: the message stays a single readable line.
function snippet(body: string): string {
  const text = body.slice(0, 200).replace(/\s+/g, " ").trim();
  return text ? JSON.stringify(text) + (body.length > 200 ? "…" : "") : "(empty body)";
}
