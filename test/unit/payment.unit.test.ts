import { describe, expect, it } from 'vitest';
import { next, type PaymentStatus } from '../../workers/payments/payment';

const all: (PaymentStatus | null)[] = [null, 'authorized', 'declined', 'captured', 'voided', 'refunded'];

describe('payment state machine', () => {
  it('asks the provider to authorize only a payment it has not seen; otherwise announces the outcome again', () => {
    expect(next('authorize', null)).toEqual({ kind: 'call', call: 'authorize' });
    for (const s of all.slice(1)) expect(next('authorize', s)).toEqual({ kind: 'repeat' });
  });

  it('captures only an authorization', () => {
    expect(next('capture', 'authorized')).toEqual({ kind: 'call', call: 'capture' });
    expect(next('capture', 'captured')).toEqual({ kind: 'repeat' });
    for (const s of [null, 'declined', 'voided', 'refunded'] as const) expect(next('capture', s)).toEqual({ kind: 'nothing' });
  });

  it('compensates by voiding an authorization and refunding a capture', () => {
    expect(next('compensate', 'authorized')).toEqual({ kind: 'call', call: 'void' });
    expect(next('compensate', 'captured')).toEqual({ kind: 'call', call: 'refund' });
  });

  it('remembers a compensation that comes before any authorization', () => {
    expect(next('compensate', null)).toEqual({ kind: 'record', status: 'voided' });
  });

  it('is idempotent: compensating twice calls the provider once', () => {
    expect(next('compensate', 'voided')).toEqual({ kind: 'repeat' });
    expect(next('compensate', 'refunded')).toEqual({ kind: 'repeat' });
    expect(next('compensate', 'declined')).toEqual({ kind: 'nothing' });
  });
});
