import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { checkConfig, secret } from '../../shared/config';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('secret()', () => {
  const problems = (value: unknown) => {
    const parsed = secret(16).safeParse(value);
    return parsed.success ? [] : parsed.error.issues.map((i) => i.message);
  };

  it.each([
    [undefined, 'is not set'],
    ['', 'is empty'],
    ['undefined', 'is a placeholder, not a secret'],
    ['null', 'is a placeholder, not a secret'],
    ['CHANGEME', 'is a placeholder, not a secret'],
    ['xxxxxxxxxxxxxxxxxxxx', 'is a placeholder, not a secret'],
    [' sixteen-characters', 'has leading or trailing whitespace'],
    ['too-short', 'is too short: a secret needs at least 16 characters'],
  ])('refuses %j: %s', (value, message) => {
    expect(problems(value)).toEqual([message]);
  });

  it('takes a long random value', () => {
    expect(problems(crypto.randomUUID())).toEqual([]);
  });

  it('never repeats the value in a problem', () => {
    expect(problems('hunter2').join(' ')).not.toContain('hunter2');
  });
});

describe('checkConfig()', () => {
  const Schema = z.object({ KEY: secret(8) });

  it('logs one line naming every problem, once per environment', () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const env = { KEY: 'short' };
    expect(checkConfig('svc', Schema, env)).toEqual({
      ok: false,
      problems: ['KEY is too short: a secret needs at least 8 characters'],
    });
    checkConfig('svc', Schema, env);
    expect(log).toHaveBeenCalledTimes(1);
    expect(JSON.parse(String(log.mock.calls[0]![0]))).toEqual({
      msg: 'svc is misconfigured and refuses to serve',
      service: 'svc',
      problems: ['KEY is too short: a secret needs at least 8 characters'],
    });
  });

  it('checks each schema on its own, also for one environment', () => {
    const env = { KEY: 'long-enough', PORT: '80' };
    expect(checkConfig('svc', Schema, env)).toEqual({ ok: true, config: { KEY: 'long-enough' } });
    expect(checkConfig('svc', z.object({ PORT: z.coerce.number() }), env)).toEqual({ ok: true, config: { PORT: 80 } });
  });

  it('answers the parsed configuration when it holds', () => {
    expect(checkConfig('svc', Schema, { KEY: 'long-enough' })).toEqual({ ok: true, config: { KEY: 'long-enough' } });
  });
});
