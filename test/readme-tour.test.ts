/** The README's "Writing a model" example, extracted from README.md and run as written. */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

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
