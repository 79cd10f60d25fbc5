/**
 * Bad input everywhere, for the command line: every --param checked against
 * its scenario's declared type and range, numbers refused with one line,
 * unwritable output places refused before any work, artefacts checked
 * against their schema and against their own token.
 */
import fc from 'fast-check';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';
import { paramSpecs, checkParam } from '../src/core/params.ts';
import { scenarios } from '../src/scenarios/registry.ts';

async function nsm(args: string[], dir = mkdtempSync(join(tmpdir(), 'nsm-in-'))): Promise<{ code: number; out: string[]; err: string[]; dir: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const prev = process.env.NSM_DIR;
  process.env.NSM_DIR = dir;
  try {
    const code = await main(args, (s) => out.push(s), (s) => err.push(s));
    return { code, out, err, dir };
  } finally {
    if (prev === undefined) delete process.env.NSM_DIR;
    else process.env.NSM_DIR = prev;
  }
}

function oneLine(r: { code: number; err: string[] }, pattern: RegExp): void {
  expect(r.code).toBe(2);
  expect(r.err.length).toBe(1);
  expect(r.err[0]).toMatch(/^nsm: [^\n]+$/);
  expect(r.err[0]).toMatch(pattern);
}

describe('--param: typed and ranged per scenario', () => {
  it.each([
    ['threads=abc', /expects integer 1\.\.10, got "abc"/],
    ['threads=-1', /expects integer 1\.\.10, got -1/],
    ['threads=0', /expects integer 1\.\.10, got 0/],
    ['threads=100000', /expects integer 1\.\.10, got 100000/],
    ['threads=2.5', /expects integer/],
    ['nope=1', /has no parameter 'nope' \(it has: threads\)/],
  ])('tb-counter --param %s', async (p, pattern) => {
    const r = await nsm(['check', 'tb-counter', '--param', p]);
    oneLine(r, pattern);
    expect(readdirSync(r.dir)).toEqual([]); // nothing written
  });
  it('a boolean accepts true and false only', async () => {
    oneLine(await nsm(['check', 'ns-register-vs-zone-create', '--param', 'fixShutdownInprogress=maybe']), /expects true\|false, got "maybe"/);
    oneLine(await nsm(['fuzz', '--scenario', 'ns-register-vs-zone-create', '--param', 'fixShutdownInprogress=1']), /expects true\|false/);
  });
  it('every registered scenario: defaults lie within their declared types; list --json shows the types', async () => {
    for (const sc of scenarios) for (const p of paramSpecs(sc)) expect(checkParam(sc, p.name, p.default)).toBe(p.default);
    const r = await nsm(['list', '--json']);
    const tc = JSON.parse(r.out[0]!).find((s: { name: string }) => s.name === 'tb-counter');
    expect(tc.paramTypes).toEqual([{ name: 'threads', type: 'integer', default: 2, min: 1, max: 10, description: 'incrementing threads' }]);
  });
  it('fuzzed --param values: a run, or one line and exit 2, never a stack trace', async () => {
    const value = fc.oneof(fc.constantFrom('true', 'false', '0', '1', '3', '10', '11', '-1', '1e3', '2.5', '', 'maybe', '9007199254740993'), fc.string({ maxLength: 5 }));
    const name = fc.constantFrom('threads', 'fixShutdownInprogress', 'x');
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('tb-counter', 'ns-register-vs-zone-create'), name, value, async (sc, k, v) => {
        const r = await nsm(['check', sc, '--param', `${k}=${v}`, '--schedules', '3', '--no-write']);
        expect([0, 1, 2, 3]).toContain(r.code);
        if (r.code === 2) expect(r.err.join('\n')).toMatch(/^nsm: [^\n]+$/);
        const ok = (sc === 'tb-counter' && k === 'threads' && /^(?:[1-9]|10)$/.test(v)) || (sc !== 'tb-counter' && k === 'fixShutdownInprogress' && /^(true|false)$/.test(v));
        expect(r.code === 2).toBe(!ok);
      }),
      { numRuns: 60 },
    );
  });
});

describe('numbers and flags', () => {
  it.each([
    [['check', 'tb-gate', '--seed', '-1'], /--seed got '-1', which looks like an option/],
    [['check', 'tb-gate', '--schedules', '18446744073709551616'], /--schedules must be at most 9,007,199,254,740,991/],
    [['check', 'tb-gate', '--schedules', '0'], /--schedules must be at least 1/],
    [['check', '--all', 'tb-counter'], /--all takes no scenario name/],
    [['fuzz', '--scenario', 'tb-gate', '--workers', '1000'], /--workers must be at most/],
    [['fuzz', '--scenario', 'tb-gate', '--resume', '--schedules', '10'], /--resume: no checkpoint/],
    [['help', 'frobnicate'], /no command 'frobnicate'/],
  ])('%j', async (argv, pattern) => {
    oneLine(await nsm(argv as string[]), pattern);
  });
  it('nsm help check prints the help of check', async () => {
    const r = await nsm(['help', 'check']);
    expect(r.code).toBe(0);
    expect(r.out.join('\n')).toMatch(/^usage: nsm check <scenario>/);
  });
});

describe('where nsm writes', () => {
  it('an artefact directory that cannot be made: one line, exit 2, before the search', async () => {
    const base = mkdtempSync(join(tmpdir(), 'nsm-ro-'));
    const file = join(base, 'a-file');
    writeFileSync(file, 'x'); // NSM_DIR below a regular file: mkdir fails even for root
    for (const argv of [
      ['check', 'tb-counter', '--mutant', 'tb-unlocked-increment'],
      ['fuzz', '--scenario', 'tb-gate', '--schedules', '10'],
      ['explain', 'nsm1:tb-counter:tb-unlocked-increment:-:5660d76b:6:AQEAAAAB:Dw4C:6c336f23', '--format', 'html'],
    ]) oneLine(await nsm(argv, join(file, 'nsm')), /cannot write to .*a-file\/nsm.* \(ENOTDIR\)/);
  });
  it('--no-write writes nothing; by default the artefact path is printed', async () => {
    const quiet = await nsm(['check', 'tb-counter', '--mutant', 'tb-unlocked-increment', '--no-write']);
    expect(quiet.code).toBe(1);
    expect(readdirSync(quiet.dir)).toEqual([]);
    const loud = await nsm(['check', 'tb-counter', '--mutant', 'tb-unlocked-increment']);
    expect(loud.out.join('\n')).toMatch(/artefact: .*failures\/tb-counter--tb-unlocked-increment--no-lost-update--\w+\.json/);
  });
  it('explain --out never creates a directory', async () => {
    const base = mkdtempSync(join(tmpdir(), 'nsm-out-'));
    const target = join(base, 'missing', 'x.html');
    oneLine(await nsm(['explain', 'nsm1:tb-counter:tb-unlocked-increment:-:5660d76b:6:AQEAAAAB:Dw4C:6c336f23', '--format', 'html', '--out', target]), /no directory .*missing/);
    expect(existsSync(join(base, 'missing'))).toBe(false);
  });
});

describe('artefacts are checked', () => {
  async function artefact(): Promise<{ path: string; data: any }> {
    const r = await nsm(['check', 'tb-counter', '--mutant', 'tb-unlocked-increment']);
    const path = /artefact: (\S+)/.exec(r.out.join('\n'))![1]!;
    return { path, data: JSON.parse(readFileSync(path, 'utf8')) };
  }
  it('a good artefact is explained; one whose timeline was edited is refused', async () => {
    const { path, data } = await artefact();
    const ok = await nsm(['explain', path]);
    expect(ok.code).toBe(1);
    data.timeline[1].effects = ['write count (count)'];
    writeFileSync(path, JSON.stringify(data));
    oneLine(await nsm(['explain', path]), /timeline does not match what its token replays/);
  });
  it('a field of the wrong type is named', async () => {
    const { path, data } = await artefact();
    data.timeline[0].step = 'zero';
    writeFileSync(path, JSON.stringify(data));
    oneLine(await nsm(['explain', path]), /not an nsm failure artefact \(version 1\): timeline\.0\.step:/);
  });
  it('fuzzed artefact files: explained, or one line and exit 2', async () => {
    const { path, data } = await artefact();
    const good = JSON.stringify(data);
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: good.length - 1 }), fc.string({ maxLength: 4 }), fc.nat({ max: 6 }), async (at, ins, del) => {
        writeFileSync(path, good.slice(0, at) + ins + good.slice(at + del));
        const r = await nsm(['explain', path]);
        expect([1, 2]).toContain(r.code);
        if (r.code === 2) expect(r.err.join('\n')).toMatch(/^nsm: [^\n]+$/);
      }),
      { numRuns: 60 },
    );
  });
});

describe('a long search stopped early reports what it did', () => {
  it('Ctrl-C (SIGINT): the partial report, exit 3; --json still prints one object', async () => {
    const { spawn } = await import('node:child_process');
    const bin = join(__dirname, '..', 'bin', 'nsm.js');
    const run = (args: string[]) =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const p = spawn(process.execPath, [bin, ...args], { env: { ...process.env, NSM_DIR: mkdtempSync(join(tmpdir(), 'nsm-int-')) } });
        let out = '';
        p.stdout.on('data', (d) => (out += d));
        // Interrupt once the search is under way (the first progress line on stderr).
        p.stderr.once('data', () => p.kill('SIGINT'));
        p.on('close', (code) => resolve({ code, out }));
      });
    const text = await run(['check', 'ipmp-exchange', '--time', '120', '--progress', '0.5']);
    expect(text.code).toBe(3);
    expect(text.out).toMatch(/^incomplete\s+ipmp-exchange\s+[\d,]+ schedules \(not complete\)/);
    expect(text.out).toMatch(/interrupted \(Ctrl-C\): the [\d,]+ schedules explored found no failure/);
    expect(text.out).toMatch(/deepest open branches: depth \d+/);
    const json = await run(['check', 'ipmp-exchange', '--time', '120', '--progress', '0.5', '--json']);
    expect(json.code).toBe(3);
    const o = JSON.parse(json.out.trim());
    expect(o).toMatchObject({ scenario: 'ipmp-exchange', verdict: 'incomplete', complete: false, stopped: 'stop' });
    expect(o.openBranches.length).toBeGreaterThan(0);
  });
  it('--time expiry: the same report, saying why', async () => {
    const r = await nsm(['check', 'ipmp-exchange', '--time', '0.5', '--no-write']);
    expect(r.code).toBe(3);
    expect(r.out.join('\n')).toMatch(/stopped by the time budget \(--time 0\.5\)/);
  });
});

describe('nsm repin and shortened tokens', () => {
  it('a token shown shortened in prose (ending in ...) is skipped, not reported lost', async () => {
    const f = join(mkdtempSync(join(tmpdir(), 'nsm-repin-')), 'doc.md');
    writeFileSync(f, 'pinned: nsm1:tb-counter:tb-unlocked-increment:-:5660d76b:6:AQEAAAAB:Dw4C:6c336f23\nshort: `nsm1:tb-gate:-:-:...` and nsm1:ipmp-exchange:-:x:4c8b5702:16:...\n');
    const r = await nsm(['repin', '--check', f]);
    expect(r.code).toBe(0);
    expect(r.out.at(-1)).toBe('1 token(s): 1 replay, 0 stale, 0 lost');
  });
});
