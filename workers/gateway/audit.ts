import type { MiddlewareHandler } from 'hono';
import { type AuditEntry, outcomeOf } from '../../shared/audit';
import { type AppEnv, services } from './context';
import { keyIdOf } from './operators';

/**
 * Records every action of an authenticated operator in the audit log (the router's D1): who, with
 * which key, what, on what, when, and how it ended, refusals included. Runs after `adminAuth`, so
 * requests without a valid operator key cost no write (they are logged, and rate-limited).
 * An entry that cannot be recorded is written to the log in full instead.
 */
export function auditTrail(): MiddlewareHandler<AppEnv> {
  return async function auditTrail(c, next) {
    const at = new Date().toISOString();
    await next();
    const operator = c.get('operator');
    const action = c.get('adminAction');
    const entry: AuditEntry = {
      id: crypto.randomUUID(),
      at,
      actor: operator.name,
      keyId: keyIdOf(operator),
      action: action?.action ?? `${c.req.method} ${c.req.path}`,
      scope: action?.scope ?? null,
      method: c.req.method,
      path: c.req.path,
      target: action?.target ?? null,
      status: c.res.status,
      outcome: outcomeOf(c.res.status),
      requestId: c.get('requestId'),
    };
    try {
      const recorded = await services(c.env).router.recordAudit(entry);
      if (!recorded.ok) throw new Error(recorded.error.message);
    } catch (error) {
      console.error(JSON.stringify({ msg: 'audit entry not recorded', entry, error: String(error) }));
    }
  };
}
