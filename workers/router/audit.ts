import { type AuditEntry, AuditQuery } from '../../shared/audit';
import { after, pageOf } from '../../shared/cursor';
import type { Page } from '../../shared/responses';

type Row = {
  id: string;
  at: string;
  actor: string;
  key_id: string;
  action: string;
  scope: AuditEntry['scope'];
  method: string;
  path: string;
  target: string | null;
  status: number;
  outcome: AuditEntry['outcome'];
  request_id: string;
};

/** Adds one entry to the audit log; an entry is never changed or removed through the API. */
export async function record(db: D1Database, e: AuditEntry): Promise<void> {
  await db
    .prepare(
      `INSERT INTO audit_log (id, at, actor, key_id, action, scope, method, path, target, status, outcome, request_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
    )
    .bind(e.id, e.at, e.actor, e.keyId, e.action, e.scope, e.method, e.path, e.target, e.status, e.outcome, e.requestId)
    .run();
}

/** The audit log, newest first, optionally of one operator, cursor-paged. */
export async function list(db: D1Database, input: AuditQuery): Promise<Page<AuditEntry>> {
  const q = AuditQuery.parse(input);
  const [beforeAt, beforeId] = after(q.cursor);
  const { results } = await db
    .prepare(
      `SELECT * FROM audit_log WHERE (?1 IS NULL OR actor = ?1) AND (at, id) < (?2, ?3) ORDER BY at DESC, id DESC LIMIT ?4`,
    )
    .bind(q.actor ?? null, beforeAt, beforeId, q.limit + 1)
    .all<Row>();
  return pageOf(
    results,
    q.limit,
    (r) => [r.at, r.id],
    (r) => ({
      id: r.id,
      at: r.at,
      actor: r.actor,
      keyId: r.key_id,
      action: r.action,
      scope: r.scope,
      method: r.method,
      path: r.path,
      target: r.target,
      status: r.status,
      outcome: r.outcome,
      requestId: r.request_id,
    }),
  );
}
