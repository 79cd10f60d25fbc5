/**
 * The HTML failure report in a real headless browser (Chromium from the npm registry,
 * driven by playwright-core): it renders, steps, makes no network request,
 * logs no error.
 *
 * The browser comes from the npm registry: @sparticuz/chromium carries a
 * Chromium build in its package (143.0.4: the newest whose `engines` accept
 * Node 20; Chromium 143 is the one playwright-core 1.57 drives), unpacked to
 * the temp directory on first use. Nothing outside `npm ci` is needed. A
 * browser that cannot be unpacked or launched FAILS every test below; they
 * are never skipped.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import sparticuz from '@sparticuz/chromium';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportFailure } from '../src/cli/failure-report.ts';
import { renderHtml, type RenderArtefact } from '../src/cli/render/html.ts';
import { explore } from '../src/core/runner.ts';
import { makeStrategy } from '../src/core/config.ts';
import { findScenario } from '../src/scenarios/registry.ts';

describe('HTML report in headless chromium', () => {
  let dir = '';
  let browser: Browser | null = null;
  let page: Page;
  let artefact: RenderArtefact;
  const requests: string[] = [];
  const errors: string[] = [];
  /** A setup failure (browser did not start...) fails every test below, not just the hook. */
  let setupError: unknown = null;
  const ready = () => {
    if (setupError) throw setupError;
  };

  beforeAll(async () => {
    try {
      await setUp();
    } catch (e) {
      setupError = e;
    }
  }, 30_000);

  async function setUp(): Promise<void> {
    dir = mkdtempSync(join(tmpdir(), 'nsm-html-'));
    const sc = findScenario('tb-gate')!;
    const r = explore(sc, makeStrategy('dpor', { seed: 1, depth: 1 }), { mutant: 'tb-signal-not-broadcast' });
    expect(r.verdict).toBe('fail');
    const old = process.env.NSM_DIR;
    process.env.NSM_DIR = dir;
    try {
      reportFailure(sc, { mutant: 'tb-signal-not-broadcast' }, r.failure!.schedule, r.failure!.failure, { shrink: true, write: true });
    } finally {
      if (old === undefined) delete process.env.NSM_DIR;
      else process.env.NSM_DIR = old;
    }
    const json = readdirSync(join(dir, 'failures')).find((f) => f.endsWith('.json'))!;
    artefact = JSON.parse(readFileSync(join(dir, 'failures', json), 'utf8')) as RenderArtefact;
    // A hostile detail line: must show as text, never run.
    artefact.failure.details.push(`</script><script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">`);
    const file = join(dir, 'report.html');
    writeFileSync(file, renderHtml(artefact));

    browser = await chromium.launch({
      executablePath: await sparticuz.executablePath(),
      args: ['--headless', '--no-sandbox', '--single-process', '--no-zygote', '--use-gl=angle', '--use-angle=swiftshader', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      timeout: 20_000,
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(5_000);
    page.on('request', (req) => requests.push(req.url()));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load', timeout: 10_000 });
  }

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const last = () => artefact.timeline[artefact.timeline.length - 1]!.step;
  const currentRow = () => page.$$eval('tr.step-row.current', (rs) => rs.map((r) => (r as HTMLElement).dataset.step));
  const indicator = () => page.textContent('#current-step');

  it('renders the header, the highlighted spec and one swimlane per thread', async () => {
    ready();
    expect(await page.title()).toBe('nsm: tb-gate (tb-signal-not-broadcast) - deadlock');
    const spec = page.locator('#spec');
    expect(await spec.isVisible()).toBe(true);
    expect(await spec.textContent()).toBe('deadlock');
    expect(await spec.evaluate((e) => getComputedStyle(e).backgroundColor)).not.toBe('rgba(0, 0, 0, 0)');
    expect(await page.locator('#message').textContent()).toBe('no enabled thread while W2 unfinished');
    expect(await page.locator('text=deadlock violated').isVisible()).toBe(true);
    const threads = Object.keys(artefact.timeline[0]!.held);
    expect(await page.$$eval('th.lane-head', (hs) => hs.map((h) => h.textContent))).toEqual(threads);
    expect(await page.locator('tr.step-row').count()).toBe(artefact.timeline.length);
    expect(await page.textContent('#replay')).toBe(`nsm replay ${artefact.token}`);
  });

  it('shows hostile text as text and runs none of it', async () => {
    ready();
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('ul.details li').last().textContent()).toBe(artefact.failure.details[artefact.failure.details.length - 1]);
    expect(await page.locator('img').count()).toBe(0);
  });

  it('steps with the buttons; the current row and the object states follow', async () => {
    ready();
    expect(await indicator()).toBe(`step ${artefact.timeline[0]!.step} / ${last()}`);
    expect(await currentRow()).toEqual([String(artefact.timeline[0]!.step)]);
    for (let i = 1; i <= 3; i++) {
      await page.click('#next');
      const r = artefact.timeline[i]!;
      expect(await indicator()).toBe(`step ${r.step} / ${last()}`);
      expect(await currentRow()).toEqual([String(r.step)]);
      expect(await page.textContent('#step-thread')).toContain(r.thread);
    }
    // Object states of the current step, as the artefact recorded them.
    const objs = await page.$$eval('#objects-body tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    expect(Object.fromEntries(objs)).toEqual(artefact.timeline[3]!.objects);
    await page.click('#last');
    expect(await indicator()).toBe(`step ${last()} / ${last()}`);
    expect(await currentRow()).toEqual([String(last())]);
    expect(await page.isDisabled('#next')).toBe(true);
    const lastObjs = await page.$$eval('#objects-body tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    expect(Object.fromEntries(lastObjs)).toEqual(artefact.timeline[artefact.timeline.length - 1]!.objects);
    await page.click('#first');
    expect(await indicator()).toBe(`step ${artefact.timeline[0]!.step} / ${last()}`);
    expect(await currentRow()).toEqual([String(artefact.timeline[0]!.step)]);
    expect(await page.isDisabled('#prev')).toBe(true);
  });

  it('steps with the arrow keys', async () => {
    ready();
    await page.keyboard.press('Home');
    expect(await indicator()).toBe(`step ${artefact.timeline[0]!.step} / ${last()}`);
    await page.keyboard.press('ArrowRight');
    expect(await indicator()).toBe(`step ${artefact.timeline[1]!.step} / ${last()}`);
    expect(await currentRow()).toEqual([String(artefact.timeline[1]!.step)]);
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowLeft');
    expect(await indicator()).toBe(`step ${artefact.timeline[1]!.step} / ${last()}`);
    await page.keyboard.press('End');
    expect(await indicator()).toBe(`step ${last()} / ${last()}`);
  });

  it('marks cv waits and wake-ups visibly', async () => {
    ready();
    expect(await page.locator('.tag.cv-sleep').first().isVisible()).toBe(true);
    expect(await page.locator('.tag.cv-wake').first().isVisible()).toBe(true);
    expect(await page.locator('td.lane.asleep').count()).toBeGreaterThan(0);
  });

  it('made no network request and logged no error', () => {
    ready();
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((u) => !u.startsWith('file:') && !u.startsWith('data:'))).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('takes a screenshot', async () => {
    ready();
    const png = join(dir, 'report.png');
    await page.keyboard.press('Home');
    for (let i = 0; i < 3; i++) await page.click('#next');
    await page.screenshot({ path: png, fullPage: true });
    expect(existsSync(png)).toBe(true);
    expect(statSync(png).size).toBeGreaterThan(20_000);
    expect(readFileSync(png).subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    if (process.env.NSM_SCREENSHOT) writeFileSync(process.env.NSM_SCREENSHOT, readFileSync(png));
  });
});
