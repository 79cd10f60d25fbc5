/** The README's "Writing a model" example, extracted from README.md and run as written. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';

const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
const block = /```ts\n([\s\S]*?)```/.exec(readme)![1]!;
const files: string[] = [];

async function load(code: string, tag: string) {
  const path = join(__dirname, `.readme-${tag}.tmp.ts`);
  files.push(path);
  writeFileSync(path, code.replace("from 'netstack-model'", "from '../src/index.ts'"));
  return import(path);
}

afterAll(() => {
  for (const f of files) rmSync(f, { force: true });
});

describe('README tour', () => {
  it('the example passes exhaustively', async () => {
    const m = await load(block, 'ok');
    expect(m.result.verdict).toBe('pass');
    expect(m.result.complete).toBe(true);
  });
  it('with if instead of while it fails on the assertion', async () => {
    const m = await load(block.replace('while (!s.ready)', 'if (!s.ready)'), 'if');
    expect(m.result.verdict).toBe('fail');
    expect(m.result.failure.failure.message).toBe('assertion failed: item ready after cv_wait');
  });
});

/**
 * The tour's console blocks, run: every `$ npx nsm ...` command of the
 * tour is run in-process and its output compared with the lines the README
 * shows under it, up to a `...` line (the rest omitted). Elapsed seconds
 * differ between runs and are compared as `N s`; the artefact directory is
 * a temporary one, shown as `.nsm`.
 */
describe('README tour output', () => {
  const tour = readme.slice(readme.indexOf('## A five-minute tour'), readme.indexOf('## The command line'));
  const cases: { cmd: string; shown: string[] }[] = [];
  for (const [, body] of tour.matchAll(/```\n([\s\S]*?)```/g)) {
    let cur: { cmd: string; shown: string[] } | null = null;
    for (const line of body!.split('\n')) {
      if (line.startsWith('$ ')) {
        cur = line.includes('<') ? null : { cmd: line.slice(2).replace(/\s+#.*$/, ''), shown: [] };
        if (cur) cases.push(cur);
      } else if (cur && line !== '') cur.shown.push(line);
    }
  }
  const norm = (s: string) => s.replace(/\d+\.\d+ s\b/g, 'N s');

  it('finds the commands', () => expect(cases.length).toBeGreaterThanOrEqual(5));
  for (const c of cases) {
    it(`${c.cmd}`, async () => {
      const args = c.cmd.split(/\s+/);
      expect(args.slice(0, 2)).toEqual(['npx', 'nsm']);
      const dir = mkdtempSync(join(tmpdir(), 'nsm-tour-'));
      const prev = process.env.NSM_DIR;
      process.env.NSM_DIR = dir;
      const out: string[] = [];
      try {
        await main(args.slice(2), (s) => out.push(s), () => {});
      } finally {
        if (prev === undefined) delete process.env.NSM_DIR;
        else process.env.NSM_DIR = prev;
        rmSync(dir, { recursive: true, force: true });
      }
      const real = out.join('\n').split('\n').map((l) => norm(l.split(dir).join('.nsm')));
      const cut = c.shown.indexOf('  ...');
      const shown = (cut < 0 ? c.shown : c.shown.slice(0, cut)).map(norm);
      expect(real.slice(0, shown.length)).toEqual(shown);
      if (cut < 0) expect(real.length).toBe(shown.length);
    });
  }
});
