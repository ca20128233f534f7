/** Entry point of `npm run segment` (see segmentCommand.ts). */
import { runMain } from "../errors.ts";
import { processIO } from "./command.ts";
import { segmentCommand } from "./segmentCommand.ts";

await runMain(() => segmentCommand(process.argv.slice(2), processIO()));
