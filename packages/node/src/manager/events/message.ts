// One event as dockerd's events service holds it (moby api/types/events.Message), and its line on
// the GET /events stream: the swarm's (scope swarm, from the store, on managers) and this engine's
// own (scope local: its containers, images and volumes). timeNano is kept as a bigint:
// nanoseconds since 1970 exceed 2^53, and a JS number would print the last digits wrong.

export type ClusterEventType = 'node' | 'service' | 'network' | 'secret' | 'config';
export type ClusterEventAction = 'create' | 'update' | 'remove';
export type LocalEventType = 'container' | 'image' | 'volume';

export interface ClusterEvent {
  Type: ClusterEventType | LocalEventType;
  /** The swarm's create/update/remove; a container's create, start, kill, die, stop, destroy, health_status: …; an image's pull; a volume's create, mount, unmount, destroy. */
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope: 'swarm' | 'local';
  timeNano: bigint;
}

const NS_PER_S = 1_000_000_000n;

/** Unix seconds of a nanosecond time, rounded down as Go's Time.Unix() does. */
export function unixSeconds(timeNano: bigint): bigint {
  const s = timeNano / NS_PER_S;
  return timeNano < 0n && timeNano % NS_PER_S !== 0n ? s - 1n : s;
}

/** Emulated milliseconds (a float) as integer nanoseconds. */
export function msToNanos(ms: number): bigint {
  const whole = Math.floor(ms);
  return BigInt(whole) * 1_000_000n + BigInt(Math.round((ms - whole) * 1e6));
}

/** Go's json.Encoder escapes these (SetEscapeHTML defaults to true); JSON.stringify does not. */
const GO_ESCAPED = /[<>&\u2028\u2029]/g;

function goString(s: string): string {
  return JSON.stringify(s).replace(GO_ESCAPED, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * The event as json.Encoder writes it: fields in struct order, Attributes keys sorted (Go sorts
 * map keys), a trailing newline. The deprecated status/id/from fields are empty for swarm events
 * and omitted, as their omitempty tags say.
 */
export function encodeEvent(ev: ClusterEvent): string {
  const attributes = Object.keys(ev.Actor.Attributes)
    .sort()
    .map((k) => `${goString(k)}:${goString(ev.Actor.Attributes[k])}`)
    .join(',');
  return (
    `{"Type":${goString(ev.Type)},"Action":${goString(ev.Action)},` +
    `"Actor":{"ID":${goString(ev.Actor.ID)},"Attributes":{${attributes}}},` +
    `"scope":${goString(ev.scope)},"time":${unixSeconds(ev.timeNano)},"timeNano":${ev.timeNano}}\n`
  );
}
