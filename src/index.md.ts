import { runMain } from "../loaders/errors.ts";
import { homePage } from "../loaders/site/home.ts";

await runMain(() => {
  process.stdout.write(homePage());
});
