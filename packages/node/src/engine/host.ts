// Facts about the host the emulated engine reports.

import { release } from 'node:os';

export function kernelRelease(): string {
  return release();
}
