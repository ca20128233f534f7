import { runMain } from "../../loaders/errors.ts";
import { datasetList } from "../../loaders/site/home.ts";

await runMain(() => {
  process.stdout.write(JSON.stringify(datasetList()));
});
