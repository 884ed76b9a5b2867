// Field values shared by every certificate we sign, chosen the way cfssl's signer
// (which SwarmKit drives) chooses them.
import { randomBytes } from 'node:crypto';

const MINUTE_MS = 60_000;

/** cfssl: a 20-byte random serial with the top bit cleared, so the DER INTEGER stays positive. */
export function randomSerialHex(): string {
  const serial = randomBytes(20);
  serial[0] &= 0x7f;
  if (serial.every((b) => b === 0)) serial[19] = 1; // a zero serial is invalid in X.509
  return serial.toString('hex');
}

/** cfssl: NotBefore = now rounded to the nearest minute, minus the backdate. */
export function backdatedNotBefore(now: Date, backdateMs: number): Date {
  return new Date(Math.round(now.getTime() / MINUTE_MS) * MINUTE_MS - backdateMs);
}

export function assertValidDate(value: unknown, what: string): asserts value is Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw new TypeError(`${what} must be a valid Date`);
  }
}
