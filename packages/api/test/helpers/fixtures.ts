import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../fixtures/real-swarm/', import.meta.url));

/** Text of a real-swarm reference file. */
export function fixtureText(name: string): string {
  return readFileSync(ROOT + name, 'utf8');
}

/** A real-swarm JSON answer, typed by the caller as the API type it should satisfy. */
export function fixture<T>(name: string): T {
  return JSON.parse(fixtureText(name)) as T;
}

/** One of `docker inspect`'s one-element arrays. */
export function inspected<T>(name: string): T {
  const list = fixture<T[]>(name);
  if (list.length !== 1) throw new Error(`${name}: expected one inspected object, got ${list.length}`);
  return list[0];
}
