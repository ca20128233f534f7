/** Entry point of `npm run drift` (see driftCommand.ts). */
import { runMain } from "../errors.ts";
import { processIO } from "./command.ts";
import { driftCommand } from "./driftCommand.ts";

await runMain(() => driftCommand(process.argv.slice(2), processIO()));
