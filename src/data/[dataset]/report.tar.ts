import { runLoader } from "../../../loaders/freshness/stamp.ts";
import { reportArchive } from "../../../loaders/report/report.ts";

await runLoader(import.meta.url, async ({ dataset }) => {
  process.stdout.write(await reportArchive(dataset!, (m) => process.stderr.write(`  ${m}\n`)));
});
