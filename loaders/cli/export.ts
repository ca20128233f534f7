/** Entry point of `npm run export` (see exportCommand.ts). */
import { runMain } from "../errors.ts";
import { processIO } from "./command.ts";
import { exportCommand } from "./exportCommand.ts";

await runMain(() => exportCommand(process.argv.slice(2), processIO()));
