// What image entrypoint scripts end with: `exec "$@"` — the command replaces the script in the
// same process (so PID 1 stays PID 1 and gets docker stop's signal).

import { EXIT_NOT_FOUND, type Proc } from '../process.js';

/** Runs argv in place of the current program; a missing command fails as dash reports it. */
export async function execInPlace(proc: Proc, argv: string[], script: string, line: number): Promise<number> {
  const program = proc.sys.image.lookup(argv[0]!);
  if (!program) {
    proc.err(`${script}: ${line}: exec: ${argv[0]}: not found\n`);
    return EXIT_NOT_FOUND;
  }
  return program({ ...proc, argv });
}
