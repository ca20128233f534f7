/**
 * `npm run dev`: Framework's preview server with live reload, plus what it lacks: it watches
 * data/ and loaders/ and, when a data file, the manifest or an engine module changes, removes
 * the affected cached loader outputs and touches their loaders so the open page reloads them; a
 * changed manifest also reloads the config, so a new dataset appears in the sidebar.
 * Extra arguments go to `observable preview` (e.g. `npm run dev -- --port 4321`).
 */
import { readFileSync, utimesSync, watch } from "node:fs";
import { constants } from "node:os";
import { join } from "node:path";
import { runMain, WorkbenchError } from "../errors.ts";
import { invalidateStale, touchForPreview } from "../freshness/invalidate.ts";
import { loadManifest } from "../manifest/load.ts";
import { databaseFingerprints } from "../source/fingerprint.ts";
import { manifestPath, projectRoot } from "../paths.ts";
import { removeLeftovers, startFramework, stopWithSignals } from "./observable.ts";

/** The server keeps running whatever a refresh meets (a half-saved manifest, a file renamed mid-save). */
function reportError(error: unknown): void {
  process.stderr.write(`error: ${error instanceof WorkbenchError ? error.message : String(error)}\n`);
}

function safely(f: () => void | Promise<void>): () => void {
  return () => {
    try {
      f()?.catch(reportError);
    } catch (error) {
      reportError(error);
    }
  };
}

await runMain(async () => {
  const root = projectRoot();
  removeLeftovers(root);
  let recheck: NodeJS.Timeout | undefined;
  let manifestText = readFileSync(manifestPath(root), "utf8");
  const refresh = async () => {
    const manifest = loadManifest();
    // Framework re-imports its config only when the config file's mtime changes; the sidebar and
    // the report routes come from the manifest, so a changed manifest touches the config.
    const text = readFileSync(manifestPath(root), "utf8");
    if (text !== manifestText) {
      manifestText = text;
      const now = new Date();
      utimesSync(join(root, "observablehq.config.ts"), now, now);
    }
    // A database changes without touching a file: it is looked at when a file changes, not watched.
    const inv = invalidateStale(root, manifest, await databaseFingerprints(manifest));
    if (inv.stale.length) {
      process.stderr.write(`inputs changed, reloading: ${inv.stale.map((t) => t.output).join(", ")}\n`);
      touchForPreview(root, inv);
    }
    // A loader still running on inputs changed since it started: look again when it is done.
    clearTimeout(recheck);
    if (inv.pending.length) recheck = setTimeout(safely(refresh), 2000);
  };
  await refresh();

  let timer: NodeJS.Timeout | undefined;
  const onChange = () => {
    clearTimeout(timer);
    timer = setTimeout(safely(refresh), 300);
  };
  for (const dir of ["data", "loaders"]) watch(join(root, dir), { recursive: true }, onChange).on("error", reportError);

  const child = startFramework(root, ["preview", ...process.argv.slice(2)], { stdio: "inherit" });
  // Exit as Framework did; killed by a signal, as a shell reports it (128 + its number).
  child.on("close", (code, signal) => process.exit(code ?? 128 + (signal ? constants.signals[signal] : 0)));
  // Stopping the workbench stops the preview server and its loaders with it.
  stopWithSignals(() => [child]);
});
