import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorCodes } from '../../shared/error-codes';

describe('the documented error codes', () => {
  it("are exactly the README's table, with the same statuses and meanings", () => {
    const readme = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### Error codes'), readme.indexOf('### OWASP API Security Top 10'));
    const rows = [...section.matchAll(/^\| `([a-z_]+)`\s*\| (\d{3})\s*\| (.+?)\s*\|$/gm)].map(([, code, status, meaning]) => [
      code,
      Number(status),
      meaning,
    ]);
    expect(rows).toEqual(Object.entries(errorCodes).map(([code, e]) => [code, e.status, e.meaning]));
  });
});
