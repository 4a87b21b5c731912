import { WorkerEntrypoint } from 'cloudflare:workers';
import { ReplayInput } from '../../shared/api';
import { AuditEntry, type AuditQuery } from '../../shared/audit';
import { AppError, type Reply, reply } from '../../shared/errors';
import type { AdminPageQuery, ReplayAnswer } from '../../shared/responses';
import type { RouterRpc } from '../../shared/rpc';
import * as audit from './audit';
import { discard, inspect, list, redrive } from './dead-letters';
import { readLag } from './lag';
import { queuesByName } from './metrics-service';
import { replay } from './replay';
import { inboxes } from './route';

/** The router as the gateway calls it: the dead-letter console, replay and the audit log. */
export class RouterService extends WorkerEntrypoint<Env> implements RouterRpc {
  listDeadLetters(page: AdminPageQuery) {
    return reply(() => list(this.env.DB, page));
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

  replay(input: ReplayInput): Promise<Reply<ReplayAnswer>> {
    return reply(() => {
      const parsed = ReplayInput.safeParse(input);
      if (!parsed.success) throw new AppError({ code: 'invalid_request', message: parsed.error.message, status: 400 });
      return replay(this.env.ARCHIVE, inboxes(this.env), parsed.data);
    });
  }

  /** Adds an admin action to the audit log (the gateway records every one). */
  recordAudit(entry: AuditEntry) {
    return reply(() => audit.record(this.env.DB, AuditEntry.parse(entry)));
  }

  listAudit(query: AuditQuery) {
    return reply(() => audit.list(this.env.DB, query));
  }

  /** How far behind each bus shard runs, for the gateway's admission control. */
  lag() {
    return reply(() => readLag(this.env.DB));
  }

  /** Every queue a dead letter can come from, by name: each bus shard, each inbox, the webhook queue. */
  private queues(): Record<string, Queue> {
    return queuesByName(this.env);
  }
}
