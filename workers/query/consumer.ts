import type { Handlers } from '../../shared/consume';
import { type Event, eventTypes } from '../../shared/events';
import type { Meter } from '../../shared/metrics';
import { project } from './projections';

/** The read side subscribes to every event and projects each one, counting the rows it writes. */
export function handlers(env: Env, meter?: Meter): Handlers {
  const onEvent = async (event: Event) => {
    meter?.count('billable_total', { op: 'd1_row_written', store: 'query' }, await project(env.DB, event));
  };
  return Object.fromEntries(eventTypes.map((type) => [type, onEvent]));
}
