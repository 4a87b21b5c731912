import type { Handlers } from '../../shared/consume';
import { type Event, eventTypes } from '../../shared/events';
import type { Meter } from '../../shared/metrics';
import { project, recordFreshness } from './projections';

/**
 * One queue batch's projections: the newest event projected and the rows written, so that the
 * batch records how fresh the read models are once, and counts its rows once.
 */
export class ProjectedBatch {
  private newest: string | null = null;
  private written = 0;

  /** Projects one event; counted towards the batch once it is in. */
  async project(db: D1Database, event: Event): Promise<void> {
    const written = await project(db, event);
    this.written += written;
    if (this.newest === null || event.occurredAt > this.newest) this.newest = event.occurredAt;
  }

  /**
   * After the batch: records the read models' freshness if anything was projected, and counts the
   * rows written. A failure here loses only a freshness reading (the next batch writes it again),
   * so it is logged, and the batch's acks stand.
   */
  async finish(db: D1Database, meter: Meter): Promise<void> {
    try {
      if (this.newest !== null) this.written += await recordFreshness(db, this.newest);
    } catch (error) {
      console.error(JSON.stringify({ msg: 'freshness not recorded', error: String(error) }));
    }
    meter.count('billable_total', { op: 'd1_row_written', store: 'query' }, this.written);
    await meter.flush();
  }
}

/** The read side subscribes to every event and projects each one. */
export function handlers(env: Env, batch = new ProjectedBatch()): Handlers {
  const onEvent = (event: Event) => batch.project(env.DB, event);
  return Object.fromEntries(eventTypes.map((type) => [type, onEvent]));
}
