import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";

/**
 * The Chromium the browser tests drive: the first that exists of CHROMIUM_PATH and Debian's
 * /usr/bin/chromium, otherwise the one `npm ci` installed with @sparticuz/chromium (a compressed
 * build inside the package, unpacked to the temporary folder on first use), so `npm test` needs
 * nothing installed by hand. playwright-core cannot download a browser here.
 */
export async function chromiumPath(): Promise<string> {
  for (const path of [process.env.CHROMIUM_PATH, "/usr/bin/chromium"]) if (path && existsSync(path)) return path;
  const { default: packaged } = await import("@sparticuz/chromium");
  return packaged.executablePath();
}

/** Chromium started so that it makes no connection of its own (see DEVELOPERS.md). */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: await chromiumPath(),
    args: [
      "--headless",
      "--no-sandbox",
      "--no-zygote",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
      "--disable-sync",
      "--disable-quic"
    ]
  });
}
