import { describe, expect, it } from 'vitest';
import { next } from '../../workers/payments/payment';

describe('payment state machine', () => {
  it('authorizes only a payment it has not seen', () => {
    expect(next('authorize', null)).toBe('call_provider');
    for (const s of ['authorized', 'declined', 'captured', 'voided'] as const) expect(next('authorize', s)).toBe('nothing');
  });

  it('captures and voids only an authorization', () => {
    expect(next('capture', 'authorized')).toBe('call_provider');
    expect(next('void', 'authorized')).toBe('call_provider');
    for (const s of [null, 'declined', 'captured', 'voided'] as const) expect(next('capture', s)).toBe('nothing');
    for (const s of ['declined', 'captured', 'voided'] as const) expect(next('void', s)).toBe('nothing');
  });

  it('remembers a void that comes before any authorization', () => {
    expect(next('void', null)).toBe('record_only');
  });
});
