/**
 * Benchmark entry: `npm run bench` (full, about 13 minutes on 2 cores) or
 * `node --import tsx bench/run.ts --quick` (tiny budgets, under 30 s).
 *
 * Full mode writes bench/results.json and bench/RESULTS.md; quick mode
 * writes bench/quick/ (git-ignored) unless --out DIR is given.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderMarkdown } from './report.ts';
import { FULL, QUICK, runSuite } from './suite.ts';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const oi = args.indexOf('--out');
const out = oi >= 0 ? args[oi + 1]! : quick ? join(here, 'quick') : here;

const t0 = performance.now();
const res = await runSuite(quick ? QUICK : FULL, { log: (s) => process.stdout.write(`[${((performance.now() - t0) / 1000).toFixed(1)}s] ${s}\n`) });
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'results.json'), JSON.stringify(res, null, 2) + '\n');
const md = renderMarkdown(res);
writeFileSync(join(out, 'RESULTS.md'), md);
process.stdout.write(`\nwrote ${join(out, 'results.json')} and ${join(out, 'RESULTS.md')} in ${res.seconds.toFixed(1)} s\n`);
for (const t of res.targets) process.stdout.write(`  ${t.met === null ? 'UNKNOWN' : t.met ? 'MET    ' : 'NOT MET'}  ${t.name}: ${t.detail}\n`);
