import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";

/**
 * The Chromium the browser tests drive: CHROMIUM_PATH when set, Debian's /usr/bin/chromium when
 * installed, otherwise the one `npm ci` installed with @sparticuz/chromium (a compressed build
 * inside the package, unpacked to the temporary folder on first use), so `npm test` needs
 * nothing installed by hand. playwright-core cannot download a browser here.
 */
export async function chromiumPath(): Promise<string> {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  if (existsSync("/usr/bin/chromium")) return "/usr/bin/chromium";
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
