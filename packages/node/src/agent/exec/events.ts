// A container's event as `docker events` shows it (moby daemon.LogContainerEventWithAttributes):
// the container's labels, its image and name, and what the action adds (exitCode, signal, execID).

import type { Container, EngineEvent } from './types.js';

export function containerEvent(c: Pick<Container, 'id' | 'labels' | 'config'>, action: string, extra: Record<string, string> = {}): EngineEvent {
  return { type: 'container', action, id: c.id, attributes: { ...c.labels, image: c.config.image, name: c.config.taskName, ...extra } };
}
