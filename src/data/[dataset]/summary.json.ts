import { parseArgs } from "node:util";
import { runMain } from "../../../loaders/errors.ts";
import { datasetSummary } from "../../../loaders/site/summary.ts";

const { values } = parseArgs({ options: { dataset: { type: "string" } } });

await runMain(() => {
  process.stdout.write(JSON.stringify(datasetSummary(values.dataset!)));
});
