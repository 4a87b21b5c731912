import type { Handlers } from '../../shared/consume';
import { type Event, eventTypes } from '../../shared/events';
import { project } from './projections';

/** The read side subscribes to every event and projects each one. */
export function handlers(env: Env): Handlers {
  const onEvent = (event: Event) => project(env.DB, event);
  return Object.fromEntries(eventTypes.map((type) => [type, onEvent]));
}
