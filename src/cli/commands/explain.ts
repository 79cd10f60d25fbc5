/** nsm explain. */
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UsageError } from '../errors.ts';
import { explainText, loadArtefact } from '../explain.ts';
import { artefactDir, ensureWritableDir } from '../failure-report.ts';
import { parse } from '../args.ts';

export const help = `usage: nsm explain <token|artefact.json> [--format text|mermaid|html] [--out FILE]

Tells a failure step by step: a per-thread swimlane with the C line of each
step, lock ownership and object states as they change, preemptions marked.
--format mermaid prints a Mermaid sequence diagram; --format html writes a
self-contained HTML report (to --out, default .nsm/reports/<name>.html).

examples:
  nsm explain .nsm/failures/tb-gate--tb-signal-not-broadcast--deadlock--a5c9b020.json
  nsm explain nsm1:tb-abba:tb-abba:-:... --format mermaid`;

export async function run(argv: string[], out: (s: string) => void): Promise<number> {
  const { values, positionals } = parse(argv, { format: { type: 'string' }, out: { type: 'string' } });
  if (values.help) return out(help), 0;
  if (positionals.length !== 1) throw new UsageError('nsm explain needs one token or artefact file');
  const format = (values.format as string | undefined) ?? 'text';
  if (!['text', 'mermaid', 'html'].includes(format)) throw new UsageError(`--format must be text, mermaid or html, got '${format}'`);
  const a = loadArtefact(positionals[0]!);
  if (format === 'text') for (const l of explainText(a)) out(l);
  else if (format === 'mermaid') {
    const { mermaidSequence } = await import('../render/mermaid.ts');
    out(mermaidSequence(a));
  } else {
    const { renderHtml } = await import('../render/html.ts');
    const given = values.out as string | undefined;
    const path = given ?? join(artefactDir(), 'reports', `${a.scenario}--${a.mutant ?? 'model'}--${a.failure.spec}.html`);
    if (given === undefined) ensureWritableDir(dirname(path));
    else if (!existsSync(dirname(path) || '.')) throw new UsageError(`--out ${given}: no directory ${dirname(given)} (nsm creates none for --out; make it first)`);
    writeFileSync(path, renderHtml(a));
    out(`html: ${path}`);
  }
  return a.failure.spec === 'none' ? 0 : 1;
}
