/** The nsm command line: JSON contract, exit codes, help, and bad input (one line, exit 2). */
import fc from 'fast-check';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';

async function nsm(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const prev = process.env.NSM_DIR;
  process.env.NSM_DIR = mkdtempSync(join(tmpdir(), 'nsm-cli-'));
  try {
    const code = await main(args, (s) => out.push(s), (s) => err.push(s));
    return { code, out, err };
  } finally {
    if (prev === undefined) delete process.env.NSM_DIR;
    else process.env.NSM_DIR = prev;
  }
}

describe('nsm check --json', () => {
  it('pass: the documented object, exit 0', async () => {
    const r = await nsm(['check', 'tb-counter', '--no-state-cache', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out[0]!);
    expect(Object.keys(j).sort()).toEqual(['complete', 'elapsedMs', 'failure', 'mutant', 'openBranches', 'scenario', 'schedules', 'steps', 'stopped', 'strategy', 'verdict'].sort());
    expect(j).toMatchObject({ scenario: 'tb-counter', strategy: 'dpor', mutant: null, verdict: 'pass', complete: true, failure: null });
  });
  it('the default dpor search caches states where the scenario declares them, and only there', async () => {
    // tb-counter declares a stateHash: the same verdict, plus the cache's counts.
    const d = JSON.parse((await nsm(['check', 'tb-counter', '--param', 'threads=4', '--json'])).out[0]!);
    expect(d).toMatchObject({ strategy: 'dpor(state-cache)', verdict: 'pass', complete: true });
    expect(d.cache.states).toBeGreaterThan(0);
    expect(d.cache.hits).toBeGreaterThan(0);
    const plain = JSON.parse((await nsm(['check', 'tb-counter', '--param', 'threads=4', '--no-state-cache', '--json'])).out[0]!);
    expect(plain).toMatchObject({ strategy: 'dpor', verdict: 'pass', complete: true });
    expect(d.schedules).toBeLessThan(plain.schedules);
    // ipmp-exchange: stateless DPOR does not finish (docs/verification.md); the default does.
    const x = await nsm(['check', 'ipmp-exchange', '--json']);
    expect(x.code).toBe(0);
    expect(JSON.parse(x.out[0]!)).toMatchObject({ strategy: 'dpor(state-cache)', verdict: 'pass', complete: true });
    // Not where the scenario declares no state, nor with a bound or a split, nor for another strategy.
    for (const args of [['fb-mcast-ll-ref'], ['tb-counter', '--preemptions', '1'], ['tb-counter', '--shard', '0/1'], ['tb-counter', '--strategy', 'dfs']]) {
      const j = JSON.parse((await nsm(['check', ...args, '--json'])).out[0]!);
      expect(j.strategy, args.join(' ')).not.toMatch(/state-cache/);
      expect(j.cache, args.join(' ')).toBeUndefined();
    }
    // --check-hits goes with the default search where it caches, and is refused where it cannot.
    const two = JSON.parse((await nsm(['check', 'tb-counter', '--param', 'threads=4', '--check-hits', '2', '--json'])).out[0]!);
    expect(two.cache.checked).toBe(2);
    expect(two.cache.hits).toBeGreaterThan(2);
    const none = await nsm(['check', 'fb-mcast-ll-ref', '--check-hits', '5']);
    expect([none.code, none.err]).toEqual([2, ["nsm: --check-hits: scenario 'fb-mcast-ll-ref' declares no state (stateHash or stateWalk), so its search caches none"]]);
    expect((await nsm(['check', 'tb-counter', '--no-state-cache', '--check-hits', '5'])).code).toBe(2);
    const both = await nsm(['check', 'tb-counter', '--state-cache', '--no-state-cache']);
    expect(both.code).toBe(2);
    expect(both.err).toEqual(['nsm: --state-cache and --no-state-cache: give one']);
  });
  it('--progress: progress lines on stderr (schedules, rate, DFS depth, open branches), the JSON result unchanged on stdout', async () => {
    const r = await nsm(['check', 'ipmp-join-join', '--no-state-cache', '--progress', '0.2', '--time', '1', '--json']);
    expect(r.code).toBe(3);
    expect(JSON.parse(r.out[0]!)).toMatchObject({ scenario: 'ipmp-join-join', verdict: 'incomplete' });
    expect(r.err.length).toBeGreaterThan(0);
    for (const l of r.err) expect(l).toMatch(/^\.\.\. ipmp-join-join \[dpor\]  [\d,]+ schedules  [\d,]+ steps  \d+ s  [\d,]+\/s  depth \d+, [\d,]+ open branches on the path$/);
  });
  it('fail: failure with spec, message, token, steps, preemptions; exit 1; the token replays', async () => {
    const r = await nsm(['check', 'tb-abba', '--mutant', 'tb-abba', '--json']);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out[0]!);
    expect(j.verdict).toBe('fail');
    expect(Object.keys(j.failure).sort()).toEqual(['message', 'preemptions', 'spec', 'steps', 'token']);
    const rep = await nsm(['replay', j.failure.token, '--json']);
    expect(rep.code).toBe(1);
    expect(JSON.parse(rep.out[0]!).failure.spec).toBe('deadlock');
  });
  it('incomplete: an exhaustive search cut by its budget, exit 3', async () => {
    const r = await nsm(['check', 'tb-cv-wait-loop', '--strategy', 'dfs', '--schedules', '3', '--json']);
    expect(r.code).toBe(3);
    expect(JSON.parse(r.out[0]!)).toMatchObject({ verdict: 'incomplete', complete: false, schedules: 3 });
  });
  it('every strategy runs', async () => {
    for (const s of ['random', 'pct', 'dfs', 'dpor', 'portfolio']) {
      const r = await nsm(['check', 'tb-gate', '--strategy', s, '--schedules', '50', '--json']);
      expect([0, 3], s).toContain(r.code);
    }
  });
});

describe('commands', () => {
  it('list, list --json', async () => {
    const r = await nsm(['list', '--json']);
    const names = JSON.parse(r.out[0]!).map((s: { name: string }) => s.name);
    expect(names).toContain('tb-counter');
    expect((await nsm(['list'])).out.join('\n')).toContain('tb-gate');
  });
  it('--help on every command, with examples', async () => {
    for (const c of ['list', 'check', 'replay', 'shrink', 'explain', 'regress', 'mutants', 'fuzz', 'merge', 'coverage', 'start']) {
      const r = await nsm([c, '--help']);
      expect(r.code, c).toBe(0);
      expect(r.out.join('\n'), c).toMatch(/usage: nsm/);
      if (c !== 'list') expect(r.out.join('\n'), c).toMatch(/example/);
    }
  });
  it('check --all --param checks the scenarios that declare the parameter, and refuses one none declares', async () => {
    const r = await nsm(['check', '--all', '--param', 'reapSlots=1', '--json', '--no-write']);
    expect(r.out.map((l) => JSON.parse(l).scenario).sort()).toEqual(['ns-reap-chain', 'ns-reap-limiter']);
    const none = await nsm(['check', '--all', '--param', 'nosuch=1']);
    expect([none.code, none.err]).toEqual([2, ["nsm: no scenario has parameter 'nosuch' (see nsm list --json)"]]);
  });

  it('regress --only, mutants --json, explain text', async () => {
    const reg = await nsm(['regress', '--only', 'tb-abba', '--json']);
    expect(reg.code).toBe(0);
    expect(JSON.parse(reg.out[0]!)[0]).toMatchObject({ name: 'tb-abba', replay: 'ok', search: 'ok' });
    const m = await nsm(['mutants', '--json']);
    expect(JSON.parse(m.out[0]!).length).toBeGreaterThanOrEqual(5);
    const c = await nsm(['check', 'tb-gate', '--mutant', 'tb-signal-not-broadcast', '--json']);
    const tok = JSON.parse(c.out[0]!).failure.token;
    const e = await nsm(['explain', tok]);
    expect(e.code).toBe(1);
    expect(e.out.join('\n')).toContain('violated: deadlock');
    expect(e.out.join('\n')).toContain('state: gate=open');
  });
  it('coverage reports contention and honours the floor', async () => {
    const r = await nsm(['coverage', 'tb-gate', '--schedules', '200', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out[0]!).coverage.contention.cvsMultiWaiter).toContain('gate_cv');
  });
});

describe('bad input: one clear line, exit 2, no stack trace', () => {
  const cases: string[][] = [
    ['check', 'no-such-scenario'],
    ['check', 'tb-gate', '--mutant', 'no-such-mutant'],
    ['check', 'tb-gate', '--strategy', 'bogus'],
    ['check', 'tb-gate', '--seed', '-1'],
    ['check', 'tb-gate', '--schedules', '1e9x'],
    ['check', 'tb-gate', '--time', 'soon'],
    ['check', 'tb-gate', '--param', 'nope=1'],
    ['check', 'tb-gate', '--whatever'],
    ['check', 'tb-gate', '--delays', '1'],
    ['check'],
    ['replay', 'nsm1:tb-gate:-:-:00000000:0:-:-:00000000'],
    ['replay', 'not-a-token'],
    ['replay'],
    ['explain', '/no/such/file.json'],
    ['frobnicate'],
    ['regress', '--only', 'nothing'],
  ];
  it.each(cases.map((c) => [c.join(' '), c]))('%s', async (_n, c) => {
    const r = await nsm(c as string[]);
    expect(r.code).toBe(2);
    expect(r.err.length).toBe(1);
    expect(r.err[0]).toMatch(/^nsm: /);
    expect(r.err[0]).not.toMatch(/\n|    at /);
  });
  it('a corrupted artefact', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nsm-bad-'));
    const p = join(dir, 'x.json');
    writeFileSync(p, '{"version": 1, "tok');
    const r = await nsm(['explain', p]);
    expect(r.code).toBe(2);
    expect(r.err[0]).toMatch(/not valid JSON/);
    writeFileSync(p, '{"version": 2}');
    expect((await nsm(['explain', p])).err[0]).toMatch(/not an nsm failure artefact/);
  });
  it('the argument parser never throws past main, whatever the argv', async () => {
    const word = fc.oneof(fc.constantFrom('check', 'replay', 'list', 'shrink', 'explain', 'mutants', '--json', '--seed', '--strategy', '--time', '--schedules', '--param', '--mutant', 'tb-gate', 'dfs', '-1', '0', 'x=1', '--'), fc.string({ maxLength: 6 }));
    await fc.assert(
      fc.asyncProperty(fc.array(word, { maxLength: 5 }), async (argv) => {
        // Keep runs short: exploration commands get a tiny budget.
        const args = argv.includes('check') ? [...argv, '--schedules', '5', '--time', '1'] : argv;
        const r = await nsm(args);
        expect([0, 1, 2, 3]).toContain(r.code);
        if (r.code === 2) expect(r.err.join('\n')).toMatch(/^nsm: [^\n]+$/);
      }),
      { numRuns: 150 },
    );
  });
});

describe('nsm repin', () => {
  it('replaces a token that diverges (as after a model change) by one that replays to the same failure, and leaves good ones alone', async () => {
    const { mutants } = await import('../src/bugs/index.ts');
    const { decodeToken, encodeToken } = await import('../src/core/trace/token.ts');
    const good = mutants.find((m) => m.mutant === 'tb-abba')!.token;
    const d = decodeToken(good);
    // Same schedule, other per-step signatures: what renumbered objects do to a pinned token.
    const stale = encodeToken({ ...d, sigs: d.sigs.map((s) => (s + 1) & 15) });
    const file = join(mkdtempSync(join(tmpdir(), 'nsm-repin-')), 'suite.md');
    writeFileSync(file, `stale: ${stale}\ngood: ${good}\n`);
    const check = await nsm(['repin', '--check', file]);
    expect(check.code).toBe(1);
    expect(check.out.at(-1)).toBe('2 token(s): 1 replay, 1 stale, 0 lost');
    const r = await nsm(['repin', file, '--json']);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.out[0]!);
    expect(rows.map((x: { status: string }) => x.status).sort()).toEqual(['ok', 'repinned']);
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain(stale);
    expect(text).toContain(good);
    const fresh = rows.find((x: { status: string }) => x.status === 'repinned').replacement as string;
    const rep = await nsm(['replay', fresh, '--json']);
    expect(JSON.parse(rep.out[0]!).failure.spec).toBe('deadlock');
    expect((await nsm(['repin', '--check', file])).code).toBe(0);
  });
  it('bad input: no file, exit 2', async () => {
    const r = await nsm(['repin', '/nonexistent/file.md']);
    expect(r.code).toBe(2);
    expect(r.err).toHaveLength(1);
  });
});
