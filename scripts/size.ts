// `npm run size`: each Worker's bundle as `wrangler deploy` would upload it, and what it is made of.
//   npm run size -- --startup            also each Worker's startup CPU time (wrangler check startup, median of 5)
//   npm run size -- --save <file.json>   keep the numbers, e.g. before a change
//   npm run size -- --compare <file.json>  print them beside the saved ones
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { configs, root, run } from './local.ts';
import { stopOnInterrupt } from './processes.ts';

stopOnInterrupt();

const { values: options } = parseArgs({
  options: {
    startup: { type: 'boolean', default: false },
    save: { type: 'string' },
    compare: { type: 'string' },
  },
});

export interface Size {
  worker: string;
  /** KiB of the minified bundle, and gzipped (what counts against the Workers size limit). */
  bundle: number;
  gzip: number;
  /** KiB of the bundle by origin. */
  parts: Record<'zod locales' | 'zod' | 'hono' | 'openapi' | 'own code' | 'other', number>;
  /** Median startup CPU milliseconds, if measured. */
  startupMs?: number;
}

interface Metafile {
  outputs: Record<string, { entryPoint?: string; inputs: Record<string, { bytesInOutput: number }> }>;
}

const kib = (bytes: number) => Math.round((bytes / 1024) * 10) / 10;

function origin(input: string): keyof Size['parts'] {
  if (input.includes('node_modules/zod/v4/locales/')) return 'zod locales';
  if (input.includes('node_modules/zod/')) return 'zod';
  if (/node_modules\/(@hono\/zod-openapi|@asteasolutions|@hono\/swagger-ui)\//.test(input)) return 'openapi';
  if (input.includes('node_modules/hono/')) return 'hono';
  if (input.includes('node_modules/')) return 'other';
  return 'own code';
}

/** Median CPU time of the startup phase, from the profile `wrangler check startup` writes. */
async function startupMs(config: string, out: string): Promise<number> {
  const runs: number[] = [];
  for (let i = 0; i < 5; i++) {
    const file = join(out, `startup-${i}.cpuprofile`);
    await run(['check', 'startup', '-c', config, '--outfile', file]);
    const profile = JSON.parse(readFileSync(file, 'utf8')) as {
      nodes: { id: number; callFrame: { functionName: string } }[];
      samples: number[];
      timeDeltas: number[];
    };
    const idle = new Set(profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
    const busy = profile.samples.reduce((sum, node, j) => sum + (idle.has(node) ? 0 : profile.timeDeltas[j]!), 0);
    runs.push(busy / 1000);
  }
  return Math.round(runs.sort((a, b) => a - b)[2]! * 10) / 10;
}

async function measure(config: string): Promise<Size> {
  const worker = config === 'wrangler.toml' ? 'gateway' : config.split('/')[1]!;
  const out = join(root, '.wrangler', 'size', worker);
  rmSync(out, { recursive: true, force: true });
  const meta = join(out, 'meta.json');
  await run(['deploy', '--dry-run', '-c', config, '--outdir', out, '--metafile', meta]);
  const bundle = join(out, 'index.js');
  const code = readFileSync(bundle);
  const metafile = JSON.parse(readFileSync(meta, 'utf8')) as Metafile;
  const parts: Size['parts'] = { 'zod locales': 0, zod: 0, hono: 0, openapi: 0, 'own code': 0, other: 0 };
  for (const output of Object.values(metafile.outputs).filter((o) => o.entryPoint)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) parts[origin(input)] += bytesInOutput;
  }
  for (const key of Object.keys(parts) as (keyof Size['parts'])[]) parts[key] = kib(parts[key]);
  const size: Size = { worker, bundle: kib(code.length), gzip: kib(gzipSync(code).length), parts };
  if (options.startup) size.startupMs = await startupMs(config, out);
  return size;
}

function table(sizes: Size[], before?: Size[]): string {
  const was = (worker: string) => before?.find((b) => b.worker === worker);
  const cell = (now: number | undefined, then: number | undefined) =>
    now === undefined ? '–' : then === undefined ? `${now}` : `${then} → ${now} (${Math.round((now / then - 1) * 100)} %)`;
  const columns = ['Worker', 'bundle KiB', 'gzip KiB', 'zod locales', 'zod', 'hono', 'openapi', 'own code'];
  if (sizes.some((s) => s.startupMs !== undefined)) columns.push('startup CPU ms');
  const rows = sizes.map((s) => {
    const b = was(s.worker);
    const row = [
      s.worker,
      cell(s.bundle, b?.bundle),
      cell(s.gzip, b?.gzip),
      ...(['zod locales', 'zod', 'hono', 'openapi', 'own code'] as const).map((p) => `${s.parts[p]}`),
    ];
    if (columns.includes('startup CPU ms')) row.push(cell(s.startupMs, b?.startupMs));
    return row;
  });
  return [columns, columns.map((_, i) => (i === 0 ? '---' : '---:')), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

const sizes: Size[] = [];
for (const config of configs) sizes.push(await measure(config));
const before = options.compare ? (JSON.parse(readFileSync(options.compare, 'utf8')) as Size[]) : undefined;
console.log(table(sizes, before));
if (options.save) writeFileSync(options.save, `${JSON.stringify(sizes, null, 2)}\n`);
