// GET /events stream messages (moby api/types/events; reference/real-swarm/events-swarm.jsonl).

export type EventType =
  | 'builder'
  | 'config'
  | 'container'
  | 'daemon'
  | 'image'
  | 'network'
  | 'node'
  | 'plugin'
  | 'secret'
  | 'service'
  | 'volume';

export interface EventActor {
  ID: string;
  /** e.g. `name`, `state.old`/`state.new`, `availability.old`/`availability.new`, `replicas.old`/`replicas.new`. */
  Attributes: Record<string, string>;
}

/**
 * One line of the event stream. `timeNano` exceeds 2^53, so a JSON.parse'd value loses its last
 * digits; a server should print it from an exact integer (bigint) rather than from this number.
 */
export interface EventMessage {
  /** Deprecated fields, still sent for container and image events. */
  status?: string;
  id?: string;
  from?: string;
  Type: EventType;
  Action: string;
  Actor: EventActor;
  scope: 'local' | 'swarm';
  /** Unix seconds. */
  time: number;
  timeNano: number;
}
