import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { runMain } from "../errors.ts";
import { databaseFingerprints } from "../source/fingerprint.ts";
import { loadManifest } from "../manifest/load.ts";
import type { Manifest } from "../manifest/types.ts";
import { projectRoot } from "../paths.ts";
import { fingerprint } from "./fingerprint.ts";
import type { LoaderTarget } from "./targets.ts";

export function cacheRoot(root: string): string {
  return join(root, "src", ".observablehq", "cache");
}

/** Where the fingerprint of an output's inputs is kept, next to Framework's cached output. */
export function stampPath(cache: string, output: string): string {
  return join(cache, `${output}.inputs`);
}

/**
 * The entry point of every data and page loader: records the fingerprint of the inputs it is
 * about to read (before reading them, so a file changed mid-run makes the output stale, never
 * falsely fresh), then runs `main` with the route's parameters. Errors a user can cause become
 * one line on stderr and exit 1 (runMain).
 *
 *   await runLoader(import.meta.url, ({ dataset }) => process.stdout.write(...));
 */
export async function runLoader(loaderUrl: string, main: (params: { dataset?: string; manifest: Manifest }) => void | Promise<void>): Promise<void> {
  await runMain(async () => {
    const { values } = parseArgs({ options: { dataset: { type: "string" } }, strict: false });
    const dataset = typeof values.dataset === "string" ? values.dataset : undefined;
    const root = projectRoot();
    const manifest = loadManifest();
    const loader = relative(join(root, "src"), fileURLToPath(loaderUrl));
    const output = loader.replace(/\.(ts|js)$/, "").replaceAll("[dataset]", dataset ?? "[dataset]");
    const target: LoaderTarget = { loader, output, dataset };
    const path = stampPath(cacheRoot(root), output);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, fingerprint(root, target, manifest, await databaseFingerprints(manifest, dataset)) + "\n");
    await main({ dataset, manifest });
  });
}
