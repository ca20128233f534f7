import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { extname, join, normalize } from "node:path";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".css": "text/css",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".csv": "text/csv"
};

/**
 * Serves a built site on 127.0.0.1 as the plainest static host does: a URL is a file path under
 * `prefix` (a subfolder, as when dist/ is copied into another site), and nothing else — no
 * clean URLs (/a/b → /a/b.html) and no folder indexes (/a/ → /a/index.html). A site that works
 * here works from any static server.
 */
export async function serveStatic(root: string, { prefix = "" }: { prefix?: string } = {}): Promise<{ url: string; close: () => Promise<void>; server: Server }> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname));
    if (path.includes("..") || !path.startsWith(`${prefix}/`)) return void res.writeHead(404).end("not found");
    const file = join(root, path.slice(prefix.length));
    if (!existsSync(file) || !statSync(file).isFile()) return void res.writeHead(404).end("not found");
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}${prefix}`, server, close: () => new Promise((ok) => server.close(() => ok())) };
}
