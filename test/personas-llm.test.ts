import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { PersonaInput } from "../loaders/personas/types.ts";
import { runCommand } from "./helpers/cli.ts";

// The lead's analysis is not under test here: the command gets this fixed input.
const inputs = vi.hoisted(() => {
  const base = (): PersonaInput => ({
    dataset: "shop",
    title: "Shop customers",
    description: "Annual spending of 500 shop customers.",
    segments: [
      { segment: 0, name: "Big spenders", share: 0.5, behaviours: ["income 71,000 vs 52,000 overall"], value: ["41% of predicted value"], types: ["loyal (48% vs 21% overall)"], action: "Reward loyalty" },
      { segment: 1, name: "Bargain hunters", share: 0.3, behaviours: ["discount purchases 6 vs 2 overall"], value: [], types: [], action: "Send vouchers" },
      { segment: 2, name: "Sleepers", share: 0.2, behaviours: ["recency 300 days vs 90 overall"], value: ["3% of predicted value"], types: [], action: "Win back" }
    ]
  });
  return { base, current: base(), calls: [] as string[] };
});
vi.mock("../loaders/personas/inputs.ts", () => ({
  personaInputFor: (name: string, progress: (m: string) => void) => {
    inputs.calls.push(name);
    progress(`analysing ${name}`);
    return structuredClone(inputs.current);
  }
}));

const { personasCommand } = await import("../loaders/cli/personasCommand.ts");
const { cachedSummaries, readPersonaCache, serializePersonaCache } = await import("../loaders/personas/cache.ts");
const { askLlm, canonicalJson, chatCompletionsUrl, personaRequest, requestKey } = await import("../loaders/personas/llm.ts");

/** A fake OpenAI-compatible server whose behaviour each test sets. */
type Mode = "ok" | "hang" | "500" | "badjson" | "nocontent" | "empty";
let mode: Mode = "ok";
const received: Array<{ url: string; headers: IncomingMessage["headers"]; body: any }> = [];
const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
  let text = "";
  req.on("data", (c) => (text += c));
  req.on("end", () => {
    // A fresh connection per request: no pooled socket of one test can meet the next.
    res.setHeader("connection", "close");
    const body = JSON.parse(text);
    received.push({ url: req.url!, headers: req.headers, body });
    if (mode === "hang") return; // never answers
    if (mode === "500") return void res.writeHead(500, { "content-type": "text/plain" }).end("model not loaded: out of memory");
    if (mode === "badjson") return void res.writeHead(200, { "content-type": "text/html" }).end("<html>Welcome to nginx</html>");
    if (mode === "nocontent") return void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ choices: [] }));
    const name = /^Segment: (.*) \(/m.exec(body.messages[1].content)?.[1];
    const content = mode === "empty" ? "   " : `  ${name} are a persona written by ${body.model}.\n`;
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ choices: [{ index: 0, message: { role: "assistant", content } }] }));
  });
});
let url = "";

const ENV = ["WORKBENCH_LLM_URL", "WORKBENCH_LLM_MODEL", "WORKBENCH_LLM_KEY"] as const;
const savedEnv = Object.fromEntries(ENV.map((k) => [k, process.env[k]]));
let root = "";

beforeAll(async () => {
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((ok) => server.close(ok));
});
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "personas-"));
  for (const k of ENV) delete process.env[k];
  process.env.WORKBENCH_LLM_URL = url;
  mode = "ok";
  received.length = 0;
  inputs.calls.length = 0;
  inputs.current = inputs.base();
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
  for (const k of ENV) {
    if (savedEnv[k] === undefined) delete process.env[k];
    else process.env[k] = savedEnv[k];
  }
});

const personas = (args: string[]) => runCommand(personasCommand, args, { cwd: root, root });
const cacheText = () => readFileSync(join(root, "data", "personas", "shop.json"), "utf8");

describe("npm run personas", () => {
  it("asks once per segment, caches the answers byte-stably, and a second run asks nothing", async () => {
    const r = await personas(["--dataset", "shop"]);
    expect(r.code, r.stderr).toBe(0);
    expect(inputs.calls).toEqual(["shop"]);
    expect(JSON.parse(r.stdout)).toEqual({ dataset: "shop", cacheFile: "data/personas/shop.json", asked: 3, cached: 0, failed: 0 });
    expect(received).toHaveLength(3);
    expect(received[0].url).toBe("/v1/chat/completions");

    const text = cacheText();
    const cache = JSON.parse(text);
    expect(cache.version).toBe(1);
    const keys = Object.keys(cache.entries);
    expect(keys).toEqual([...keys].sort());
    for (const s of inputs.current.segments) {
      const key = requestKey(personaRequest(inputs.current, s.segment, "llama3.1"));
      expect(cache.entries[key]).toEqual({ segment: s.segment, model: "llama3.1", text: `${s.name} are a persona written by llama3.1.` });
    }
    expect(text).toBe(serializePersonaCache(cache));
    expect(text.endsWith("}\n")).toBe(true);
    expect(text).toContain('\n  "entries": {\n    "');

    // The build's view: no environment variable needed.
    delete process.env.WORKBENCH_LLM_URL;
    expect(cachedSummaries(inputs.current, undefined, root).map((s) => s?.text)).toEqual(inputs.current.segments.map((s) => `${s.name} are a persona written by llama3.1.`));
    process.env.WORKBENCH_LLM_URL = url;

    const again = await personas(["--dataset", "shop"]);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ asked: 0, cached: 3, failed: 0 });
    expect(received).toHaveLength(3);
    expect(cacheText()).toBe(text);

    const refreshed = await personas(["--dataset", "shop", "--refresh"]);
    expect(JSON.parse(refreshed.stdout)).toMatchObject({ asked: 3, cached: 0, failed: 0 });
    expect(cacheText()).toBe(text);
  });

  it("asks only for changed segments, drops stale answers, and the build falls back for them", async () => {
    expect((await personas(["--dataset", "shop"])).code).toBe(0);
    inputs.current.segments[2].behaviours = ["recency 310 days vs 90 overall"];
    // Before the command runs again the changed segment has no answer: the page shows the template.
    expect(cachedSummaries(inputs.current, undefined, root).map((s) => s !== null)).toEqual([true, true, false]);
    received.length = 0;
    const r = await personas(["--dataset", "shop"]);
    expect(JSON.parse(r.stdout)).toMatchObject({ asked: 1, cached: 2, failed: 0 });
    expect(received).toHaveLength(1);
    expect(Object.keys(readPersonaCache("shop", root).entries)).toHaveLength(3);
  });

  it("finds answers written with another model without WORKBENCH_LLM_MODEL, and one model's answer replaces another's", async () => {
    process.env.WORKBENCH_LLM_MODEL = "qwen2.5";
    process.env.WORKBENCH_LLM_KEY = "sekret";
    expect((await personas(["--dataset", "shop"])).code).toBe(0);
    expect(received[0].body.model).toBe("qwen2.5");
    expect(received[0].headers.authorization).toBe("Bearer sekret");
    delete process.env.WORKBENCH_LLM_MODEL;
    const found = cachedSummaries(inputs.current, undefined, root);
    expect(found.map((s) => s?.model)).toEqual(["qwen2.5", "qwen2.5", "qwen2.5"]);
    expect(found[1]).toEqual({ segment: 1, model: "qwen2.5", text: "Bargain hunters are a persona written by qwen2.5." });

    // The default model is a different request: asked again, and its answers replace qwen's.
    const r = await personas(["--dataset", "shop"]);
    expect(JSON.parse(r.stdout)).toMatchObject({ asked: 3, cached: 0 });
    expect(Object.values(readPersonaCache("shop", root).entries).map((e) => e.model)).toEqual(["llama3.1", "llama3.1", "llama3.1"]);
  });

  it("sends only model, temperature 0 and messages, built from PersonaInput fields alone", async () => {
    // Anything attached to the input beyond its declared fields must not reach the server.
    const planted = ["jane.doe@example.com", "C-000123", "+44 20 7946 0000", "12 Acacia Avenue"];
    (inputs.current as any).rows = [{ email: planted[0], id: planted[1], phone: planted[2] }];
    (inputs.current.segments[0] as any).address = planted[3];
    (inputs.current.segments[0] as any).ids = [planted[1]];
    expect((await personas(["--dataset", "shop"])).code).toBe(0);
    for (const { body } of received) {
      expect(Object.keys(body).sort()).toEqual(["messages", "model", "temperature"]);
      expect(body.temperature).toBe(0);
      expect(body.messages.map((m: any) => m.role)).toEqual(["system", "user"]);
      const sent = JSON.stringify(body);
      for (const p of planted) expect(sent).not.toContain(p);
    }

    // Every word of the user message that is not the fixed skeleton comes from a PersonaInput field.
    const input = inputs.base();
    const user = personaRequest(input, 0, "m").messages[1].content;
    let skeleton = user;
    const values = [input.title, input.description, ...input.segments.flatMap((s) => [s.name, ...s.behaviours, ...s.value, ...s.types, s.action, `${(s.share * 100).toFixed(1)}%`])];
    for (const v of values.sort((a, b) => b.length - a.length)) skeleton = skeleton.split(v).join("§");
    expect(skeleton).toBe(
      [
        "Dataset: §",
        "About the dataset: §",
        "",
        "Segment: § (§ of customers)",
        "Key behaviours:",
        "- §",
        "Value:",
        "- §",
        "Over-represented customer types:",
        "- §",
        "Recommended action: §",
        "",
        "Other segments, for contrast: § (§), § (§)"
      ].join("\n")
    );
    const system = personaRequest(input, 0, "m").messages[0].content;
    expect(system).toMatch(/2 to 3 sentences/);
    expect(system).toMatch(/no markdown/);
    expect(system).toMatch(/invent no numbers/);
    for (const v of values) expect(system).not.toContain(v);
  });

  it("keys requests by the SHA-256 of their canonical JSON", () => {
    const a = inputs.base();
    const key = requestKey(personaRequest(a, 1, "llama3.1"));
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(requestKey(personaRequest(inputs.base(), 1, "llama3.1"))).toBe(key);
    // The key does not depend on key order in the object.
    const r = personaRequest(a, 1, "llama3.1");
    expect(requestKey({ messages: r.messages, temperature: 0, model: r.model })).toBe(key);
    expect(canonicalJson({ b: [{ d: 1, c: "x" }], a: null })).toBe('{"a":null,"b":[{"c":"x","d":1}]}');
    const changed = inputs.base();
    changed.segments[1].share = 0.35;
    expect(requestKey(personaRequest(changed, 1, "llama3.1"))).not.toBe(key);
    // Another segment's share is in the contrast line, so it changes this key too.
    const other = inputs.base();
    other.segments[0].share = 0.45;
    expect(requestKey(personaRequest(other, 1, "llama3.1"))).not.toBe(key);
    expect(requestKey(personaRequest(a, 1, "qwen2.5"))).not.toBe(key);
  });

  it("accepts a base URL, one ending in /v1, or the full endpoint", () => {
    for (const u of ["http://127.0.0.1:11434", "http://127.0.0.1:11434/", "http://127.0.0.1:11434/v1", "http://127.0.0.1:11434/v1/", "http://127.0.0.1:11434/v1/chat/completions"]) {
      expect(chatCompletionsUrl(u)).toBe("http://127.0.0.1:11434/v1/chat/completions");
    }
    expect(chatCompletionsUrl("https://llm.example/proxy")).toBe("https://llm.example/proxy/v1/chat/completions");
  });

  it("times out with a clear message, keeps nothing bogus and exits 1", async () => {
    mode = "hang";
    const r = await personas(["--dataset", "shop", "--timeout", "1"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: segment 0 "Big spenders": the LLM at ${url}/v1/chat/completions gave no answer within 1 s`);
    expect(r.stderr).toContain("--timeout SECONDS");
    expect(r.stderr).toContain("the report shows the template text for the 3 segments");
    expect(JSON.parse(r.stdout)).toEqual({ dataset: "shop", cacheFile: "data/personas/shop.json", asked: 0, cached: 0, failed: 3 });
    expect(received).toHaveLength(1); // stops at the first failure
    expect(existsSync(join(root, "data", "personas", "shop.json"))).toBe(false);
  });

  it("keeps the answers obtained before a failure", async () => {
    let n = 0;
    const listener = server.listeners("request")[0] as (...a: unknown[]) => void;
    server.removeAllListeners("request");
    server.on("request", (req, res) => {
      if (++n === 2) mode = "500";
      listener(req, res);
    });
    try {
      const r = await personas(["--dataset", "shop"]);
      expect(r.code).toBe(1);
      expect(JSON.parse(r.stdout)).toMatchObject({ asked: 1, failed: 2 });
      expect(r.stderr).toContain("1 new answer saved in data/personas/shop.json");
      expect(cachedSummaries(inputs.current, undefined, root).map((s) => s !== null)).toEqual([true, false, false]);
    } finally {
      server.removeAllListeners("request");
      server.on("request", listener);
    }
  });

  it("reports HTTP 500 with its status and body", async () => {
    mode = "500";
    const r = await personas(["--dataset", "shop"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`the LLM at ${url}/v1/chat/completions answered HTTP 500 Internal Server Error: "model not loaded: out of memory"`);
    expect(existsSync(join(root, "data", "personas", "shop.json"))).toBe(false);
  });

  it("reports a body that is not JSON, or JSON without an answer, or an empty answer", async () => {
    mode = "badjson";
    let r = await personas(["--dataset", "shop"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('answered with a body that is not JSON: "<html>Welcome to nginx</html>"');
    expect(r.stderr).toContain("OpenAI-compatible");
    mode = "nocontent";
    r = await personas(["--dataset", "shop"]);
    expect(r.stderr).toContain("answered without text (no choices[0].message.content)");
    mode = "empty";
    r = await personas(["--dataset", "shop"]);
    expect(r.stderr).toContain("answered with empty text");
    expect(existsSync(join(root, "data", "personas", "shop.json"))).toBe(false);
  });

  it("reports a refused connection", async () => {
    const closed = createServer();
    await new Promise<void>((ok) => closed.listen(0, "127.0.0.1", ok));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((ok) => closed.close(ok));
    process.env.WORKBENCH_LLM_URL = `http://127.0.0.1:${port}/v1/`;
    const r = await personas(["--dataset", "shop"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`cannot reach the LLM at http://127.0.0.1:${port}/v1/chat/completions (connection refused)`);
    expect(r.stderr).toContain("WORKBENCH_LLM_URL");
    await expect(askLlm(`http://127.0.0.1:${port}`, personaRequest(inputs.base(), 0, "m"), { timeoutMs: 5000 })).rejects.toThrow(/connection refused/);
  });

  it("explains WORKBENCH_LLM_URL when it is missing or not an http(s) URL, before any analysis", async () => {
    delete process.env.WORKBENCH_LLM_URL;
    let r = await personas(["--dataset", "shop"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: WORKBENCH_LLM_URL is not set.*http:\/\/127\.0\.0\.1:11434.*template text/);
    process.env.WORKBENCH_LLM_URL = "localhost:11434";
    r = await personas(["--dataset", "shop"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("WORKBENCH_LLM_URL is not an http(s) URL");
    process.env.WORKBENCH_LLM_URL = "http://me:sekret@127.0.0.1:11434";
    r = await personas(["--dataset", "shop"]);
    expect(r.stderr).toContain("WORKBENCH_LLM_URL contains a user name or password");
    expect(r.stderr).not.toContain("sekret");
    expect(inputs.calls).toEqual([]);
  });

  it("refuses a malformed cache file, naming it", async () => {
    mkdirSync(join(root, "data", "personas"), { recursive: true });
    writeFileSync(join(root, "data", "personas", "shop.json"), '{"version": 1, "entries": ');
    let r = await personas(["--dataset", "shop"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("data/personas/shop.json: malformed persona cache: not JSON");
    expect(r.stderr).toContain("Delete the file");
    expect(received).toHaveLength(0);
    writeFileSync(join(root, "data", "personas", "shop.json"), JSON.stringify({ version: 1, entries: { ["a".repeat(64)]: { segment: 0, model: "m" } } }));
    r = await personas(["--dataset", "shop"]);
    expect(r.stderr).toContain(`field "entries.${"a".repeat(64)}.text"`);
    expect(() => cachedSummaries(inputs.current, undefined, root)).toThrow(/malformed persona cache/);
  });

  it("checks its flags", async () => {
    const help = await personas(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("WORKBENCH_LLM_URL");
    expect((await personas([])).stderr).toContain("--dataset NAME is required");
    expect((await personas(["--dataset", "shop", "--timeout", "0"])).stderr).toContain("--timeout must be a whole number ≥ 1");
    expect((await personas(["--dataset", "../etc"])).stderr).toContain("invalid dataset name");
    expect(inputs.calls).toEqual([]);
  });
});
