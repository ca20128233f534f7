/** Entry point of `npm run value` (see valueCommand.ts). */
import { runMain } from "../errors.ts";
import { processIO } from "./command.ts";
import { valueCommand } from "./valueCommand.ts";

await runMain(() => valueCommand(process.argv.slice(2), processIO()));
