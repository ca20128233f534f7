import { parseArgs } from "node:util";
import { runMain } from "../../../loaders/errors.ts";
import { reportArchive } from "../../../loaders/report/report.ts";

const { values } = parseArgs({ options: { dataset: { type: "string" } } });

await runMain(() => {
  process.stdout.write(reportArchive(values.dataset!, (m) => process.stderr.write(`  ${m}\n`)));
});
