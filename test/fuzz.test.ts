/**
 * Fuzz campaigns: findings written at once, checkpoints, resume after
 * kill -9 without repeating work, shards that merge to the whole.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';

async function nsm(args: string[], dir: string): Promise<{ code: number; out: string[] }> {
  const prev = process.env.NSM_DIR;
  process.env.NSM_DIR = dir;
  const out: string[] = [];
  try {
    const code = await main(args, (s) => out.push(s), () => {});
    return { code, out };
  } finally {
    if (prev === undefined) delete process.env.NSM_DIR;
    else process.env.NSM_DIR = prev;
  }
}

const tmp = () => mkdtempSync(join(tmpdir(), 'nsm-fuzz-'));

describe('nsm fuzz', () => {
  it('finds a mutant, writes its artefact, and reports a replayable token', async () => {
    const dir = tmp();
    const r = await nsm(['fuzz', '--scenario', 'tb-gate', '--mutant', 'tb-signal-not-broadcast', '--schedules', '400', '--batch', '100', '--json'], dir);
    expect(r.code).toBe(1);
    const res = JSON.parse(r.out[0]!);
    expect(res.failures.length).toBeGreaterThan(0);
    expect(res.failures[0].spec).toBe('deadlock');
    expect(existsSync(res.failures[0].artefact)).toBe(true);
    const rep = await nsm(['replay', res.failures[0].token, '--json'], dir);
    expect(JSON.parse(rep.out[0]!).failure.spec).toBe('deadlock');
  });

  it('a clean campaign passes and records every batch', async () => {
    const dir = tmp();
    const r = await nsm(['fuzz', '--scenario', 'tb-gate', '--schedules', '1000', '--batch', '100', '--json'], dir);
    expect(r.code).toBe(0);
    const res = JSON.parse(r.out[0]!);
    expect(res.doneBatches).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(res.schedules).toBe(1000);
    expect(existsSync(join(res.dir, 'result.json'))).toBe(true);
  });

  it('refuses to overwrite a campaign without --resume, and resumes without repeating', async () => {
    const dir = tmp();
    await nsm(['fuzz', '--scenario', 'tb-gate', '--schedules', '600', '--batch', '100', '--json'], dir);
    const again = await nsm(['fuzz', '--scenario', 'tb-gate', '--schedules', '600', '--batch', '100'], dir);
    expect(again.code).toBe(2);
    const resumed = await nsm(['fuzz', '--scenario', 'tb-gate', '--schedules', '600', '--batch', '100', '--resume', '--json'], dir);
    const res = JSON.parse(resumed.out[0]!);
    expect(res.schedules).toBe(600); // nothing was run twice
  });

  it('shards split the batches and merge back to the whole campaign', async () => {
    const dir = tmp();
    const a = JSON.parse((await nsm(['fuzz', '--scenario', 'tb-gate', '--schedules', '1000', '--batch', '100', '--shard', '0/2', '--json'], dir)).out[0]!);
    const b = JSON.parse((await nsm(['fuzz', '--scenario', 'tb-gate', '--schedules', '1000', '--batch', '100', '--shard', '1/2', '--json'], dir)).out[0]!);
    expect(a.doneBatches).toEqual([0, 2, 4, 6, 8]);
    expect(b.doneBatches).toEqual([1, 3, 5, 7, 9]);
    const m = await nsm(['merge', join(a.dir, 'result.json'), join(b.dir, 'result.json'), '--json'], dir);
    const merged = JSON.parse(m.out[0]!);
    expect(merged.schedules).toBe(1000);
    expect(merged.doneBatches).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('survives kill -9: no finding lost, --resume finishes the rest exactly once', async () => {
    const dir = tmp();
    const args = ['bin/nsm.js', 'fuzz', '--scenario', 'tb-gate', '--mutant', 'tb-signal-not-broadcast', '--schedules', '40000', '--batch', '100', '--strategy', 'random'];
    const child = spawn(process.execPath, args, { env: { ...process.env, NSM_DIR: dir }, stdio: 'ignore' });
    const ckDir = join(dir, 'campaigns', 'tb-gate--tb-signal-not-broadcast--random-s1');
    const ckpt = join(ckDir, 'checkpoint.json');
    const t0 = Date.now();
    let done = 0;
    while (Date.now() - t0 < 30_000) {
      await new Promise((r) => setTimeout(r, 25));
      if (!existsSync(ckpt)) continue;
      try {
        done = JSON.parse(readFileSync(ckpt, 'utf8')).doneBatches.length;
      } catch {
        continue;
      }
      if (done >= 3) break;
    }
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const before = JSON.parse(readFileSync(ckpt, 'utf8'));
    expect(before.doneBatches.length).toBeGreaterThanOrEqual(3);
    expect(before.doneBatches.length).toBeLessThan(400);
    // The failure found before the kill is on disk.
    expect(before.failures.length).toBeGreaterThan(0);
    for (const f of before.failures) expect(existsSync(f.artefact)).toBe(true);
    const r = await nsm(['fuzz', ...args.slice(2), '--resume', '--json'], dir);
    const after = JSON.parse(r.out[0]!);
    expect(after.doneBatches.length).toBe(400);
    expect(after.schedules).toBe(40000);
    expect(readdirSync(join(dir, 'failures')).filter((f) => f.endsWith('.json')).length).toBe(new Set(after.failures.map((f: { artefact: string }) => f.artefact)).size);
  }, 60_000);

  it('bad flags: one line, exit 2', async () => {
    const dir = tmp();
    for (const bad of [['fuzz'], ['fuzz', '--scenario', 'nope'], ['fuzz', '--scenario', 'tb-gate', '--shard', '3/2'], ['fuzz', '--scenario', 'tb-gate', '--workers', 'x'], ['fuzz', '--scenario', 'tb-gate', '--mutant', 'tb-abba']]) {
      const r = await nsm(bad, dir);
      expect(r.code, bad.join(' ')).toBe(2);
    }
  });
});
