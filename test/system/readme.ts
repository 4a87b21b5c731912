// The README's shell blocks as steps to run, each with the answer the README shows for it.
import { type ChildProcess, spawn } from 'node:child_process';

export interface Block {
  /** 1-based line of the opening fence. */
  line: number;
  heading: string;
  code: string;
  /** Why the README test does not run it (from `<!-- readme-test: skip (why) -->` above the block). */
  skip?: string;
}

export interface Step {
  line: number;
  command: string;
  /** What the output must contain: `…` (with an example id before it, like `8c1e…`) stands for anything. */
  expected: string[];
}

/** Every ```sh block of a Markdown document, with the heading it stands under. */
export function shellBlocks(markdown: string): Block[] {
  const lines = markdown.split('\n');
  const blocks: Block[] = [];
  let heading = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^#{1,6} /.test(line)) heading = line.replace(/^#+ /, '');
    const fence = /^```(\w*)/.exec(line);
    if (!fence) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !lines[i]!.startsWith('```'); i++) body.push(lines[i]!);
    if (fence[1] !== 'sh') continue;
    const marker = /^<!-- readme-test: skip \((.+)\) -->$/.exec(lines[start - 1] ?? '');
    blocks.push({ line: start + 1, heading, code: body.join('\n'), ...(marker && { skip: marker[1]! }) });
  }
  return blocks;
}

/** A comment line that shows output: JSON, an HTTP status line or a header. Prose comments are not. */
const outputLine = /^(\{|\[|HTTP\/|[A-Z][A-Za-z-]+: )/;
/** JSON fields quoted in a trailing comment, e.g. `# "status":"confirmed" about 0.1 s later`. */
const quotedField = /"[\w.]+":(?:"[^"]*"|-?\d+(?:\.\d+)?|true|false|null)/g;

/** The commands of a block, each with the output it is shown to give. */
export function steps(block: Block): Step[] {
  const lines = block.code.split('\n');
  const result: Step[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const trimmed = line.trim();
    if (!trimmed) continue;
    if (trimmed.startsWith('#')) {
      const shown = trimmed
        .replace(/^#\s?/, '')
        .split(/\s+—\s/)[0]!
        .trim();
      if (result.length > 0 && outputLine.test(shown)) result.at(-1)!.expected.push(shown);
      continue;
    }
    const first = i;
    const command = [line];
    const heredoc = /<<-?'?(\w+)'?/.exec(line)?.[1];
    const isFunction = /^\w+\(\)\s*\{\s*(#.*)?$/.test(trimmed);
    if (heredoc) while (i + 1 < lines.length && lines[i]!.trim() !== heredoc) command.push(lines[++i]!);
    else if (isFunction) while (i + 1 < lines.length && lines[i]!.trim() !== '}') command.push(lines[++i]!);
    else while (lines[i]!.endsWith('\\') && i + 1 < lines.length) command.push(lines[++i]!);
    const comment = /\s{2,}#\s(.*)$/.exec(command.at(-1)!)?.[1] ?? '';
    result.push({ line: block.line + 1 + first, command: command.join('\n'), expected: comment.match(quotedField) ?? [] });
  }
  return result;
}

/** The expected text as a pattern: `…`, and an example id right before it, match anything. */
export function pattern(expected: string): RegExp {
  const parts = expected.split(/[\w-]*…/).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(parts.join('.*?'));
}

/** Whether a step only reads, so it may be run again while an eventually consistent answer arrives. */
export const onlyReads = (command: string) =>
  /\bcurl\b/.test(command) && !/-X\s*(POST|PUT|DELETE|PATCH)\b|\s-d\s|--data/.test(command);

/** One bash, kept across steps as a reader's terminal is: variables and functions carry over. */
export class Shell {
  private readonly bash: ChildProcess;
  private output = '';

  constructor(cwd: string, env: NodeJS.ProcessEnv) {
    this.bash = spawn('bash', ['--noprofile', '--norc'], { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.bash.stdout!.on('data', (d) => (this.output += d));
    this.bash.stderr!.on('data', (d) => (this.output += d));
  }

  /** Runs `command`, answering what it printed (stdout and stderr) and its exit status. */
  async run(command: string, timeoutMs = 30_000): Promise<{ output: string; status: number }> {
    const marker = `__readme_step_${crypto.randomUUID()}__`;
    this.output = '';
    this.bash.stdin!.write(`{\n${command}\n} 2>&1; echo "${marker}$?"\n`);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const end = new RegExp(`${marker}(\\d+)\\n`).exec(this.output);
      if (end) return { output: this.output.slice(0, end.index), status: Number(end[1]) };
      if (Date.now() > deadline) throw new Error(`no answer within ${timeoutMs} ms; printed so far:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  close() {
    this.bash.stdin!.end();
    this.bash.kill();
  }
}
