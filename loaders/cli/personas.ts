/** Entry point of `npm run personas` (see personasCommand.ts). */
import { runMain } from "../errors.ts";
import { processIO } from "./command.ts";
import { personasCommand } from "./personasCommand.ts";

await runMain(() => personasCommand(process.argv.slice(2), processIO()));
