import { createExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../../shared/audit';
import { RouterService } from '../../../workers/router';

function makeAuditEntry(overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    id: crypto.randomUUID(),
    at: new Date().toISOString(),
    actor: 'otto',
    keyId: 'abcdef012345',
    action: 'dead-letter.redrive',
    scope: 'operate',
    method: 'POST',
    path: '/v1/admin/dead-letters/dl_1/redrive',
    target: 'dl_1',
    status: 202,
    outcome: 'succeeded',
    requestId: crypto.randomUUID(),
    ...overrides,
  };
}

describe('audit log', () => {
  const router = new RouterService(createExecutionContext(), env);

  it('keeps every entry and answers them newest first, a page at a time, by operator', async () => {
    const entries = Array.from({ length: 5 }, (_, i) =>
      makeAuditEntry({ at: `2026-11-0${i + 1}T00:00:00.000Z`, actor: i % 2 ? 'rita' : 'otto' }),
    );
    for (const entry of entries) expect(await router.recordAudit(entry)).toEqual({ ok: true, value: undefined });

    const first = await router.listAudit({ limit: 2 });
    if (!first.ok) throw new Error(first.error.message);
    expect(first.value.items).toEqual([entries[4], entries[3]]);
    const second = await router.listAudit({ limit: 2, cursor: first.value.nextCursor! });
    expect(second.ok && second.value.items).toEqual([entries[2], entries[1]]);

    const rita = await router.listAudit({ limit: 10, actor: 'rita' });
    expect(rita.ok && rita.value.items.map((e) => e.at)).toEqual([entries[3]!.at, entries[1]!.at]);
  });

  it('refuses an entry that is not one', async () => {
    await expect(router.recordAudit({ ...makeAuditEntry(), outcome: 'maybe' } as unknown as AuditEntry)).rejects.toThrow();
  });
});
