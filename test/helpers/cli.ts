import { exitCode } from "../../loaders/errors.ts";
import type { CommandIO } from "../../loaders/cli/command.ts";
import { REPO, type RunResult } from "./project.ts";

/**
 * Runs a command's main function in this process, as its npm script would: `cwd` is the folder
 * the user called npm from, `root` the project (WORKBENCH_ROOT). A WorkbenchError becomes its one
 * line on stderr and code 1, as runMain does; anything else (a bug) throws. Spawning node for
 * each case costs ~1.7 s of CPU, which on a busy machine is what made these tests time out.
 */
export async function runCommand(
  command: (argv: string[], io: CommandIO) => void | Promise<void>,
  argv: string[],
  { cwd = REPO, root = REPO }: { cwd?: string; root?: string } = {}
): Promise<RunResult> {
  let stdout = "";
  let stderr = "";
  const io: CommandIO = { out: (t) => void (stdout += t), err: (t) => void (stderr += t), cwd };
  const saved = process.env.WORKBENCH_ROOT;
  process.env.WORKBENCH_ROOT = root;
  try {
    const code = await exitCode(() => command(argv, io), (t) => void (stderr += t));
    return { code, stdout, stderr };
  } finally {
    if (saved === undefined) delete process.env.WORKBENCH_ROOT;
    else process.env.WORKBENCH_ROOT = saved;
  }
}
