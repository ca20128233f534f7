import { runLoader } from "../loaders/freshness/stamp.ts";
import { homePage } from "../loaders/site/home.ts";

await runLoader(import.meta.url, () => {
  process.stdout.write(homePage());
});
