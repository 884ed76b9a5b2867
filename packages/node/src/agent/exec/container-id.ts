// Container IDs as Docker makes them (moby pkg/stringid): 32 random bytes in lowercase hex, drawn
// again when the 12-character short form is all digits (it would read as a number in the CLI).

import { randomBytes } from 'node:crypto';

export function generateContainerId(): string {
  for (;;) {
    const id = randomBytes(32).toString('hex');
    if (!/^\d{12}$/.test(id.slice(0, 12))) return id;
  }
}

export function shortId(id: string): string {
  return id.slice(0, 12);
}

/** Fake host pids: plausible numbers, unique per runtime, fixed for a container's run. */
export class PidAllocator {
  private next = 20_000 + Math.floor(Math.random() * 10_000);

  allocate(): number {
    const pid = this.next;
    this.next = this.next >= 4_000_000 ? 20_000 : this.next + 1 + Math.floor(Math.random() * 8);
    return pid;
  }
}
