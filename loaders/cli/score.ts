/** Entry point of `npm run score` (see scoreCommand.ts). */
import { runMain } from "../errors.ts";
import { processIO } from "./command.ts";
import { scoreCommand } from "./scoreCommand.ts";

await runMain(() => scoreCommand(process.argv.slice(2), processIO()));
