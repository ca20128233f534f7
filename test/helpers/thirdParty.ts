import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

/**
 * Absolute URLs in a built site that would make a browser load something from another host:
 * scripts, modules, styles, fonts, images, fetches. Navigation links (<a href>) and XML
 * namespace names (http://www.w3.org/...) load nothing and are allowed.
 */
export function thirdPartyLoads(dist: string): Array<{ file: string; url: string }> {
  const found: Array<{ file: string; url: string }> = [];
  for (const file of walk(dist)) {
    if (!/\.(html|js|css|json|svg|md)$/.test(file)) continue;
    let text = readFileSync(file, "utf8");
    if (file.endsWith(".html")) text = text.replace(/<a\s[^>]*href=["']https?:[^"']*["'][^>]*>/gi, "<a>");
    for (const m of text.matchAll(/(?:https?:)?\/\/([a-z0-9.-]+\.[a-z]{2,})(?::\d+)?(?:\/[^\s"'`)<>]*)?/gi)) {
      const host = m[1].toLowerCase();
      if (host === "www.w3.org" || host === "localhost" || host === "127.0.0.1") continue;
      // A protocol-relative match inside a longer token (e.g. a regex or a comment "a//b.c") is
      // only a load if it stands where a URL can start.
      if (!m[0].startsWith("http") && !/["'(=\s]$/.test(text.slice(Math.max(0, m.index! - 1), m.index!))) continue;
      found.push({ file: relative(dist, file), url: m[0] });
    }
  }
  return found;
}

function* walk(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else yield path;
  }
}
