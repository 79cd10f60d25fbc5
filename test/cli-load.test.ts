/** `nsm --load FILE`: a user's own scenarios with every command, tokens included. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';

const src = join(__dirname, '..', 'src', 'index.ts');
const dir = mkdtempSync(join(tmpdir(), 'nsm-load-'));
const mod = join(dir, 'my-models.ts');
// As in a user's project: an ES-module package (tsx compiles a .ts file outside one as CommonJS).
writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
// A user's module: one scenario, with a flag that turns its while into an if.
writeFileSync(
  mod,
  `import { defineScenario, kassert, KMutex, KCondvar, mutexEnter, mutexExit, cvWait, cvSignal } from ${JSON.stringify(src)};
function make(name: string, broken: boolean) {
  return defineScenario<{ lock: KMutex; cv: KCondvar; ready: boolean }>({
    name, description: 'producer hands one item to a consumer', system: 'mine', threads: 2, spurious: true, maxSteps: 50,
    setup(ex) {
      const s = { lock: new KMutex(ex, 'lock'), cv: new KCondvar(ex, 'cv'), ready: false };
      ex.spawn('producer', (function* () { yield* mutexEnter(s.lock); s.ready = true; yield* cvSignal(s.cv); yield* mutexExit(s.lock); })());
      ex.spawn('consumer', (function* () {
        yield* mutexEnter(s.lock);
        if (broken) { if (!s.ready) yield* cvWait(s.cv, s.lock); } else { while (!s.ready) yield* cvWait(s.cv, s.lock); }
        kassert(s.ready, 'item ready after cv_wait');
        yield* mutexExit(s.lock);
      })());
      return s;
    },
  });
}
export const handoff = make('my-handoff', false);
export const others = [make('my-handoff-if', true)];
`,
);

async function nsm(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const prev = process.env.NSM_DIR;
  process.env.NSM_DIR = mkdtempSync(join(tmpdir(), 'nsm-load-out-'));
  try {
    return { code: await main(args, (s) => out.push(s), (s) => err.push(s)), out, err };
  } finally {
    if (prev === undefined) delete process.env.NSM_DIR;
    else process.env.NSM_DIR = prev;
  }
}

describe('nsm --load', () => {
  it('check, list, replay, shrink and explain know the loaded scenarios and their tokens', async () => {
    const ok = await nsm(['check', '--load', mod, 'my-handoff', '--json']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out[0]!)).toMatchObject({ scenario: 'my-handoff', verdict: 'pass', complete: true });
    const list = await nsm(['list', `--load=${mod}`]);
    expect(list.out.join('\n')).toMatch(/my-handoff-if\s+mine\s+2/);
    const bad = await nsm(['check', 'my-handoff-if', '--load', mod, '--json']);
    expect(bad.code).toBe(1);
    const token = JSON.parse(bad.out[0]!).failure.token as string;
    expect(token).toMatch(/^nsm1:my-handoff-if:/);
    const rep = await nsm(['replay', '--load', mod, token]);
    expect(rep.code).toBe(1);
    expect(rep.out.join('\n')).toContain('assertion failed: item ready after cv_wait');
    expect((await nsm(['shrink', '--load', mod, token])).code).toBe(1);
    expect((await nsm(['explain', '--load', mod, token])).code).toBe(1);
    // Without --load the token names a scenario nsm does not have: one line, exit 2.
    const without = await nsm(['replay', token]);
    expect(without.code).toBe(2);
    expect(without.err[0]).toMatch(/names scenario 'my-handoff-if', which this nsm does not have/);
  });
  it('fuzz with worker threads loads the module in every worker', async () => {
    const r = await nsm(['fuzz', '--load', mod, '--scenario', 'my-handoff-if', '--workers', '2', '--schedules', '400', '--batch', '100', '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out[0]!).failures[0].spec).toBe('kassert');
  });
  it('bad modules: one line, exit 2', async () => {
    const empty = join(dir, 'empty.mjs');
    writeFileSync(empty, 'export const x = 1;\n');
    const clash = join(dir, 'clash.ts');
    writeFileSync(clash, `import { findScenario } from ${JSON.stringify(join(__dirname, '..', 'src', 'scenarios', 'registry.ts'))};\nexport const s = { ...findScenario('tb-counter')! };\n`);
    const broken = join(dir, 'broken.mjs');
    writeFileSync(broken, 'throw new Error("boom");\n');
    for (const [argv, pattern] of [
      [['check', '--load', join(dir, 'nope.js'), 'x'], /no such file/],
      [['check', '--load', empty, 'x'], /exports no scenario/],
      [['check', '--load', clash, 'tb-counter'], /'tb-counter' is already defined \(a built-in scenario\)/],
      [['check', '--load', broken, 'x'], /failed to load: boom/],
      [['check', '--load'], /--load needs a module file/],
    ] as const) {
      const r = await nsm([...argv]);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err).toHaveLength(1);
      expect(r.err[0]).toMatch(pattern);
    }
  });
});

describe('nsm check --state-cache on a user model whose key misses a generator local', () => {
  it('stops with the checked hit as one message naming both schedules, exit 2 (not a crash)', async () => {
    const leaky = join(dir, 'leaky.ts');
    writeFileSync(
      leaky,
      `import { access, defineScenario } from ${JSON.stringify(src)};
export const leaky = defineScenario<{ x: number; obj: number }>({
  name: 'my-leaky-key', description: 'a read kept in a generator local', system: 'mine', threads: 2,
  setup(ex) {
    const s = { x: 0, obj: ex.newObject('x', 'var') };
    for (const t of ['T0', 'T1']) ex.spawn(t, (function* () { yield* access(s.obj, 'r'); const v = s.x; yield* access(s.obj, 'w'); s.x = v + 1; })());
    return s;
  },
  stateHash: (s) => String(s.x),
});
`,
    );
    const r = await nsm(['check', '--load', leaky, 'my-leaky-key', '--state-cache']);
    expect(r.code).toBe(2);
    expect(r.err.join('\n')).toMatch(/^nsm: state caching: two ways to one state key have different futures[\s\S]*first visit: schedule \[[\d,]+\]$/);
  });
});

describe('nsm check --state-cache on a user model with stateWalk and frames', () => {
  const model = (withFrame: boolean) => `import { access, defineScenario } from ${JSON.stringify(src)};
export const walked = defineScenario<{ x: number; obj: number }>({
  name: 'my-walked-${withFrame ? 'framed' : 'bare'}', description: 'a read kept in a generator local', system: 'mine', threads: 2,
  stateWalk: true,
  setup(ex) {
    const s = { x: 0, obj: ex.newObject('x', 'var') };
    for (const t of ['T0', 'T1']) ex.spawn(t, (function* () {
      let v = -1;
      ${withFrame ? "const fr = ex.frame('incr', () => [v]);" : ''}
      yield* access(s.obj, 'r');
      v = s.x;
      yield* access(s.obj, 'w');
      s.x = v + 1;
      ${withFrame ? 'ex.leave(fr);' : ''}
    })());
    return s;
  },
});
`;
  it('with the local in a frame, every hit checked: the search completes, with hits', async () => {
    const f = join(dir, 'walked-framed.ts');
    writeFileSync(f, model(true));
    const r = await nsm(['check', '--load', f, 'my-walked-framed', '--strategy', 'dfs', '--state-cache', '--check-hits', 'all', '--json', '--no-write']);
    const out = JSON.parse(r.out.join('\n'));
    expect(r.code).toBe(0);
    expect(out).toMatchObject({ verdict: 'pass', complete: true });
    expect(out.cache.states).toBeGreaterThan(0);
    expect(out.cache.hits).toBeGreaterThan(0);
  });
  it('without it, a checked hit stops the search (exit 2)', async () => {
    const f = join(dir, 'walked-bare.ts');
    writeFileSync(f, model(false));
    const r = await nsm(['check', '--load', f, 'my-walked-bare', '--strategy', 'dfs', '--state-cache', '--check-hits', 'all']);
    expect(r.code).toBe(2);
    expect(r.err.join('\n')).toMatch(/two ways to one state key have different futures/);
  });
  it('--check-hits with a search that caches no state is refused', async () => {
    for (const args of [['--no-state-cache'], ['--strategy', 'dfs'], ['--preemptions', '1']]) {
      const r = await nsm(['check', 'tb-counter', ...args, '--check-hits', '5']);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err.join('\n')).toMatch(/--check-hits goes with state caching/);
    }
  });
});
