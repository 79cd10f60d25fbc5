/**
 * The package as users get it: `npm pack`, installed into an empty project
 * in a temporary directory, then used there with nothing of this checkout:
 *
 * - plain Node 20 imports every entry point (`.`, `./models`, `./vitest`'s
 *   types aside, `./fast-check`, `./internal`) and runs the README's "Writing a model"
 *   example, taken from README.md as written (TypeScript types stripped by
 *   the consumer's own tsc, which also checks it against dist/*.d.ts);
 * - the installed `nsm` bin runs from dist/ (no tsx in the tarball's deps);
 * - a vitest suite written as the README's "Race regression suites in your
 *   project" section shows passes where it should and, run on a broken
 *   model, fails with the timeline and the replay token in its message.
 *
 * Dependencies come from npm's cache when it has them (`--prefer-offline`);
 * a fresh machine fetches them from the registry like `npm ci` does.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(__dirname, '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
/** The temporary directory everything is made in (removed at the end), and the user's project inside it. */
let tmp = '';
let dir = '';
let tarball = '';

/** The first ```ts block after `heading` in README.md. */
function readmeBlock(heading: string): string {
  const at = readme.indexOf(heading);
  if (at < 0) throw new Error(`README has no section '${heading}'`);
  return /```ts\n([\s\S]*?)```/.exec(readme.slice(at))![1]!;
}

/**
 * Run a command in the user's project without blocking the test worker's
 * event loop (vitest's RPC times out behind a long synchronous child).
 */
function run(cmd: string, args: string[], opts: { cwd?: string; allowFail?: boolean } = {}): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd: opts.cwd ?? dir, encoding: 'utf8', env: { ...process.env, NSM_DIR: join(dir, '.nsm') }, timeout: 240_000, maxBuffer: 64 << 20 }, (e, stdout, stderr) => {
      const status = e ? (typeof e.code === 'number' ? e.code : 1) : 0;
      if (status !== 0 && !opts.allowFail) reject(new Error(`${cmd} ${args.join(' ')} exited ${status}\n${stdout}\n${stderr}`));
      else resolve({ status, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'nsm-pack-'));
  dir = tmp;
  const packDir = join(tmp, 'pack');
  mkdirSync(packDir);
  // --json: stdout must be npm's JSON alone (the prepack build prints on stderr).
  const packed = await run(npm, ['pack', '--json', '--pack-destination', packDir], { cwd: root });
  const [info] = JSON.parse(packed.stdout) as { filename: string }[];
  tarball = join(packDir, info!.filename);
  expect(readdirSync(packDir)).toEqual([info!.filename]);
  const proj = join(tmp, 'proj');
  mkdirSync(proj);
  dir = proj;
  writeFileSync(join(proj, 'package.json'), JSON.stringify({ name: 'user-suite', private: true, type: 'module' }));
  const dev = pkg.devDependencies as Record<string, string>;
  await run(npm, ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', tarball, `vitest@${dev.vitest}`, `fast-check@${dev['fast-check']}`, `typescript@${dev.typescript}`, `@types/node@${dev['@types/node']}`]);
}, 300_000);

afterAll(() => {
  if (tmp.includes('nsm-pack-')) rmSync(tmp, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('holds the build, the bin, the docs and the licence, and no sources, tests or source maps', () => {
    const list = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n');
    for (const f of ['dist/index.js', 'dist/index.d.ts', 'dist/models.js', 'dist/integrations/vitest.js', 'dist/integrations/vitest.d.ts', 'dist/integrations/fast-check.js', 'dist/integrations/fast-check.d.ts', 'dist/internal.js', 'dist/internal.d.ts', 'bin/nsm.js', 'README.md', 'LICENSE']) {
      expect(list).toContain(`package/${f}`);
    }
    // Every page of docs/ the README names is in the tarball.
    const named = [...readme.matchAll(/`(docs\/[^`\s]+\.md)`/g)].map((m) => m[1]!);
    expect(named.length).toBeGreaterThan(5);
    for (const f of named) expect(list).toContain(`package/${f}`);
    expect(list.filter((f) => f.endsWith('.map'))).toEqual([]);
    expect(execFileSync('tar', ['-xzOf', tarball, 'package/dist/index.js'], { encoding: 'utf8' })).not.toContain('sourceMappingURL');
    expect(list.filter((f) => /^package\/(src|test|properties|regressions|bench)\//.test(f))).toEqual([]);
    expect(list.filter((f) => /\.ts$/.test(f) && !/\.d\.ts$/.test(f))).toEqual([]);
  });

  it("runs the README's model with plain Node, after the consumer's tsc checks it against the declarations", async () => {
    writeFileSync(join(dir, 'model.ts'), readmeBlock('## Writing a model'));
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, outDir: 'out', types: ['node'] }, include: ['model.ts'] }),
    );
    await run(process.execPath, [join(dir, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json']);
    const script = `import { result } from './out/model.js';\nconsole.log(JSON.stringify({ verdict: result.verdict, complete: result.complete, schedules: result.schedules }));\n`;
    writeFileSync(join(dir, 'run.mjs'), script);
    const r = await run(process.execPath, ['run.mjs']);
    const out = JSON.parse(r.stdout.trim());
    expect(out.verdict).toBe('pass');
    expect(out.complete).toBe(true);
    expect(out.schedules).toBeGreaterThan(1);
  });

  it("runs docs/porting.md's two pthread ports as written, from the package", async () => {
    const doc = readFileSync(join(root, 'docs', 'porting.md'), 'utf8');
    const blocks = [...doc.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks).toHaveLength(2);
    blocks.forEach((b, i) => writeFileSync(join(dir, `port${i}.ts`), b));
    writeFileSync(
      join(dir, 'tsconfig.port.json'),
      JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, outDir: 'out', types: ['node'] }, include: ['port0.ts', 'port1.ts'] }),
    );
    await run(process.execPath, [join(dir, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.port.json']);
    writeFileSync(join(dir, 'port.mjs'), `import { counterResults } from './out/port0.js';\nimport { handoffResults } from './out/port1.js';\nconsole.log(JSON.stringify({ counterResults, handoffResults }));\n`);
    const out = JSON.parse((await run(process.execPath, ['port.mjs'])).stdout.trim());
    expect(out.counterResults.lostUpdate).toMatch(/^count-is-2: count == 1 nsm1:counter:/);
    expect(out.counterResults.locked).toBe('pass');
    expect(out.handoffResults).toEqual({ withIf: 'assertion failed: ready after pthread_cond_wait', withWhile: 'pass' });
  });

  it('imports every entry point with plain Node', async () => {
    const script = [
      "import * as core from 'netstack-model';",
      "import * as models from 'netstack-model/models';",
      "import * as fcx from 'netstack-model/fast-check';",
      "import * as internal from 'netstack-model/internal';",
      "const sc = models.findScenario('tb-counter');",
      "const r = core.check(sc, { params: { threads: 2 } });",
      "let failed = null;",
      "try { core.check(sc, { mutant: 'tb-unlocked-increment' }); } catch (e) { failed = e; }",
      "const back = core.replay(failed.token, models.scenarios);",
      "console.log(JSON.stringify({ verdict: r.verdict, name: failed.name, spec: failed.failure.spec, replayed: back.failure.spec, hasReplayLine: failed.message.includes('replay: nsm replay nsm1:'), arb: typeof fcx.scheduleArb, internal: typeof internal.Execution, publicHasExecution: 'Execution' in core, mutants: models.mutants.length }));",
    ].join('\n');
    writeFileSync(join(dir, 'entries.mjs'), script);
    const out = JSON.parse((await run(process.execPath, ['entries.mjs'])).stdout.trim());
    expect(out).toMatchObject({ verdict: 'pass', name: 'CheckFailure', spec: 'no-lost-update', replayed: 'no-lost-update', hasReplayLine: true, arb: 'function', internal: 'function', publicHasExecution: false });
    expect(out.mutants).toBeGreaterThan(10);
  });

  it('the installed nsm runs from dist/ with plain Node', async () => {
    const r = await run(join(dir, 'node_modules', '.bin', 'nsm'), ['check', 'tb-counter', '--json']);
    const out = JSON.parse(r.stdout.trim());
    expect(out).toMatchObject({ scenario: 'tb-counter', verdict: 'pass', complete: true });
    const bad = await run(join(dir, 'node_modules', '.bin', 'nsm'), ['check', 'tb-counter', '--param', 'threads=abc'], { allowFail: true });
    expect(bad.status).toBe(2);
    // The split search's worker threads start from the package's own files too.
    const par = await run(join(dir, 'node_modules', '.bin', 'nsm'), ['check', 'tb-counter', '--param', 'threads=3', '--workers', '2', '--json']);
    expect(JSON.parse(par.stdout.trim())).toMatchObject({ verdict: 'pass', complete: true, workers: 2, why: null });
  });

  it("a user's vitest suite passes, and fails with the timeline and replay token on a broken model", async () => {
    const suite = readmeBlock('### Race regression suites in your project');
    writeFileSync(join(dir, 'handoff.test.ts'), suite);
    const ok = await run(join(dir, 'node_modules', '.bin', 'vitest'), ['run', 'handoff.test.ts'], { allowFail: true });
    expect(ok.status, ok.stdout + ok.stderr).toBe(0);
    // The same suite on the model with `if` instead of `while`: the first test must fail, saying why.
    writeFileSync(join(dir, 'broken.test.ts'), suite.replace('while (!s.ready)', 'if (!s.ready)'));
    const bad = await run(join(dir, 'node_modules', '.bin', 'vitest'), ['run', 'broken.test.ts'], { allowFail: true });
    const text = bad.stdout + bad.stderr;
    expect(bad.status).toBe(1);
    expect(text).toContain('assertion failed: item ready after cv_wait');
    expect(text).toMatch(/replay: nsm replay nsm1:handoff:/);
    expect(text).toMatch(/vitest: replayTest\('nsm1:handoff:/);
  });
});
