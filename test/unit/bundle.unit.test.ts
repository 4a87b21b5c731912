import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from '../../scripts/local.ts';

/** Every TypeScript file that ends up in a Worker bundle (generated types aside). */
function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((f) => f.isFile() && f.name.endsWith('.ts') && !f.name.endsWith('.d.ts'))
    .map((f) => relative(root, join(f.parentPath, f.name)));
}

/**
 * Files that still import zod's assembled `z`, each with its owner's fix pending; the test below
 * fails when one is fixed, so the list only shrinks.
 */
const pending: string[] = [];

describe('lean bundles', () => {
  // esbuild keeps every export of a namespace object used as a value: `import { z } from 'zod'`
  // brings zod's 47 locales (≈ 360 KiB); `import * as z from 'zod'` lets it keep only what is used.
  const assembled = /import\s*\{[^}]*\bz\b[^}]*\}\s*from\s*'zod(\/v4)?'/;

  it('imports zod as a namespace, never its assembled `z` with every locale', () => {
    const offenders = [...sources('shared'), ...sources('workers')].filter((file) =>
      assembled.test(readFileSync(join(root, file), 'utf8')),
    );
    expect(offenders).toEqual(pending);
  });

  it('keeps Hono out of the internal services, which only answer /health over HTTP', () => {
    const internal = readdirSync(join(root, 'workers')).filter((w) => w !== 'gateway');
    const code = [...sources('shared'), ...internal.flatMap((w) => sources(`workers/${w}`))];
    // A type-only import is erased from the bundle.
    const withHono = code.filter((file) => /^import (?!type )[^;]*from 'hono/m.test(readFileSync(join(root, file), 'utf8')));
    expect(withHono).toEqual([]);
  });
});
