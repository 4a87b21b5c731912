import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from '../../scripts/local.ts';
import { shellBlocks, steps } from '../system/readme.ts';

// The fast half of the README check; `npm run test:readme` runs every block against `npm start`.
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines: { node: string }; scripts: object };
const blocks = shellBlocks(readme);
const runnable = blocks.filter((b) => !b.skip);
/** A command without its trailing comment, which may show elided answers (`…`). */
const code = (command: string) => command.replace(/\s{2,}#\s.*$/gm, '');

describe('the README', () => {
  it('asks for the Node that package.json requires', () => {
    const [major, minor] = /(\d+)\.(\d+)/.exec(pkg.engines.node)!.slice(1);
    expect(readme).toContain(`Node ${major}.${minor} or newer`);
    expect(readme.match(/Node \d+(\.\d+)? or newer/g)).toEqual([`Node ${major}.${minor} or newer`]);
  });

  it('has shell blocks that bash can parse', () => {
    const broken = blocks.filter((b) => spawnSync('bash', ['-n'], { input: b.code }).status !== 0).map((b) => b.line);
    expect(broken).toEqual([]);
  });

  it('runs no placeholder: a block with one says why the README test skips it', () => {
    const placeholders = runnable.flatMap((b) =>
      steps(b)
        .filter((s) => code(s.command).includes('…'))
        .map((s) => s.line),
    );
    expect(placeholders).toEqual([]);
  });

  it('makes every file a command sends before it is sent', () => {
    const made = new Set<string>();
    const missing: string[] = [];
    for (const step of runnable.flatMap(steps)) {
      for (const [, file] of code(step.command).matchAll(/-d @(\S+)/g))
        if (!made.has(file!)) missing.push(`${file} (line ${step.line})`);
      for (const [, file] of code(step.command).matchAll(/>\s*([\w.-]+\.json)\b/g)) made.add(file!);
    }
    expect(missing).toEqual([]);
  });

  it('names only npm scripts that exist', () => {
    const named = [...readme.matchAll(/npm run (?:-s )?([\w:-]+)/g)].map((m) => m[1]!);
    expect(named.filter((name) => !(name in pkg.scripts))).toEqual([]);
  });

  it('gives the carrier webhooks their own ids, so the delivered one is not taken for a duplicate', () => {
    const ids = [...readme.matchAll(/"id":"(trk_[^"]*)","orderId":"[^"]*","status":"(\w+)"/g)].map((m) => [m[2], m[1]]);
    expect(new Set(ids.filter(([status]) => status === 'delivered').map(([, id]) => id))).not.toContain(
      ids.find(([status]) => status === 'dispatched')![1],
    );
  });
});
