// An image the runtime does not know: it runs as a long-lived process that does nothing and
// ends promptly (exit 0) on the first signal, so services of any image can be scheduled, scaled
// and updated.

import type { Program } from '../process.js';

export const genericProcess: Program = async (proc) => {
  await new Promise<void>((resolve, reject) => {
    proc.onSignal(() => resolve());
    proc.sys.untilKilled().catch(reject);
  });
  return 0;
};
