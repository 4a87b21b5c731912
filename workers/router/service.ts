import { WorkerEntrypoint } from 'cloudflare:workers';
import { ReplayInput } from '../../shared/api';
import { AppError, reply } from '../../shared/errors';
import type { RouterRpc } from '../../shared/rpc';
import { discard, inspect, list, redrive } from './dead-letters';
import { readLag } from './lag';
import { replay } from './replay';
import { inboxes } from './route';

/** The router as the gateway calls it: the dead-letter console and replay. */
export class RouterService extends WorkerEntrypoint<Env> implements RouterRpc {
  listDeadLetters(limit: number) {
    return reply(() => list(this.env.DB, limit));
  }

  getDeadLetter(id: string) {
    return reply(() => inspect(this.env.DB, id));
  }

  redriveDeadLetter(id: string) {
    return reply(() => redrive(this.env.DB, id, this.queues()));
  }

  discardDeadLetter(id: string) {
    return reply(() => discard(this.env.DB, id));
  }

  replay(input: ReplayInput) {
    return reply(() => {
      const parsed = ReplayInput.safeParse(input);
      if (!parsed.success) throw new AppError({ code: 'invalid_request', message: parsed.error.message, status: 400 });
      return replay(this.env.ARCHIVE, inboxes(this.env), parsed.data);
    });
  }

  /** How far behind the platform runs, for the gateway's admission control. */
  lag() {
    return reply(() => readLag(this.env.DB));
  }

  /** Every queue a dead letter can come from, by name. */
  private queues(): Record<string, Queue> {
    const byName: Record<string, Queue> = { 'conveyor-bus': this.env.BUS, 'conveyor-webhooks': this.env.WEBHOOKS };
    for (const [subscriber, queue] of Object.entries(inboxes(this.env))) byName[`conveyor-${subscriber}-inbox`] = queue;
    return byName;
  }
}
