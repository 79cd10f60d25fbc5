/**
 * Split DPOR from the command line: shards by prefix (--shard i/n) merged by
 * `nsm merge`, and the shards in worker threads (--workers N). The soundness
 * of the split itself is a property in properties/dpor-soundness.test.ts.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';

async function nsm(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, (s) => out.push(s), (s) => err.push(s));
  return { code, out, err };
}

describe('nsm check --shard, nsm merge', () => {
  it('three shards of tb-counter (4 threads) each pass within their shard; merged they prove the search complete; two of them do not', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nsm-split-'));
    const files: string[] = [];
    const closed: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await nsm(['check', 'tb-counter', '--param', 'threads=4', '--shard', `${i}/3`, '--json']);
      expect(r.code).toBe(0);
      const j = JSON.parse(r.out[0]!);
      expect(j).toMatchObject({ verdict: 'pass', strategy: `dpor(shard ${i}/3 at depth 4)`, shard: { shard: i, shards: 3, depth: 4, complete: true } });
      closed.push(...j.shard.closed);
      files.push(join(dir, `s${i}.json`));
      writeFileSync(files[i]!, r.out[0]!);
    }
    const all = await nsm(['merge', ...files]);
    expect(all.code).toBe(0);
    expect(all.out[0]).toMatch(new RegExp(`^pass {8}tb-counter  3 shards  [\\d,]+ schedules  complete: all ${closed.length} prefixes at depth 4 closed$`));
    const two = await nsm(['merge', files[0]!, files[2]!]);
    expect(two.code).toBe(3);
    expect(two.out[0]).toMatch(/not complete: shard 1 of 3 missing$/);
  });
  it('a shard that finds the failure makes the merge fail with its token', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nsm-split-'));
    const files: string[] = [];
    for (let i = 0; i < 2; i++) {
      const r = await nsm(['check', 'tb-abba', '--mutant', 'tb-abba', '--shard', `${i}/2`, '--split-depth', '1', '--no-write', '--json']);
      files.push(join(dir, `s${i}.json`));
      writeFileSync(files[i]!, r.out[0]!);
    }
    const m = await nsm(['merge', ...files, '--json']);
    expect(m.code).toBe(1);
    const j = JSON.parse(m.out[0]!);
    expect(j.verdict).toBe('fail');
    expect(j.failures[0].token).toMatch(/^nsm1:tb-abba:/);
  });
  it('refuses a split of anything but an unbounded DPOR search, in one line', async () => {
    for (const args of [
      ['--strategy', 'dfs', '--shard', '0/2'],
      ['--preemptions', '1', '--shard', '0/2'],
      ['--shard', '0/2', '--workers', '2'],
      ['--split-depth', '3'],
      ['--shard', '2/2'],
    ]) {
      const r = await nsm(['check', 'tb-counter', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err.length).toBe(1);
    }
  });
});

describe('nsm check --workers', () => {
  it('two worker threads: the same verdict as one search, complete; a mutant fails with a replayable token', async () => {
    const ok = await nsm(['check', 'tb-counter', '--param', 'threads=4', '--workers', '2', '--json']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out[0]!)).toMatchObject({ verdict: 'pass', complete: true, workers: 2, why: null, failure: null });
    const bad = await nsm(['check', 'tb-counter', '--param', 'threads=3', '--mutant', 'tb-unlocked-increment', '--workers', '2', '--no-write', '--json']);
    expect(bad.code).toBe(1);
    const j = JSON.parse(bad.out[0]!);
    expect(j.verdict).toBe('fail');
    const re = await nsm(['replay', j.failure.token]);
    expect(re.out.join('\n')).toMatch(/no-lost-update/);
  }, 60_000);
});
