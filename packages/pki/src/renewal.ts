import { assertValidDate } from './certfields.js';

const MINUTE_MS = 60_000;
/** SwarmKit ca.CertLowerRotationRange / CertUpperRotationRange. */
const LOWER_ROTATION_RANGE = 0.5;
const UPPER_ROTATION_RANGE = 0.8;

/**
 * SwarmKit calculateRandomExpiry: the moment to renew a certificate, uniformly between 50% and 80%
 * of its lifetime, in whole minutes counted from NotBefore (spreads renewals: no thundering herd).
 * `random` returns a number in [0, 1), like Math.random.
 */
export function renewalTime(notBefore: Date, notAfter: Date, random: () => number = Math.random): Date {
  assertValidDate(notBefore, 'notBefore');
  assertValidDate(notAfter, 'notAfter');
  const lifetimeMinutes = (notAfter.getTime() - notBefore.getTime()) / MINUTE_MS;
  const minMinutes = Math.trunc(lifetimeMinutes * LOWER_ROTATION_RANGE);
  const maxMinutes = Math.trunc(lifetimeMinutes * UPPER_ROTATION_RANGE);
  let minutes = minMinutes;
  if (maxMinutes - minMinutes >= 1) {
    const r = random();
    // Clamp a misbehaving source into [0, 1) so the result always stays inside the window.
    const unit = Number.isFinite(r) ? Math.min(Math.max(r, 0), 1 - Number.EPSILON) : 0;
    minutes = minMinutes + Math.floor(unit * (maxMinutes - minMinutes));
  }
  return new Date(notBefore.getTime() + minutes * MINUTE_MS);
}
