/** nsm repin. */
import { existsSync } from 'node:fs';
import { UsageError } from '../errors.ts';
import { repinFiles } from '../repin.ts';
import { parse } from '../args.ts';

export const help = `usage: nsm repin <file>... [--check] [--json]

Finds every replay token in the files. A token that still replays is left
alone. One that diverges (the model changed: new objects, other steps) has
its schedule re-run leniently; if that still fails, the token is replaced by
the one of the execution that ran and its failure is shown for review.
A token whose schedule no longer fails is listed as lost and left as it was
(re-run its search). --check only reports. Exit 1 if any token is lost, or
with --check if any would change.

examples:
  nsm repin src/bugs/netstack.ts docs/findings.md
  nsm repin --check README.md`;

export function run(argv: string[], out: (s: string) => void): number {
  const { values, positionals } = parse(argv, { check: { type: 'boolean' }, json: { type: 'boolean' } });
  if (values.help) return out(help), 0;
  if (positionals.length === 0) throw new UsageError('nsm repin needs at least one file');
  for (const f of positionals) if (!existsSync(f)) throw new UsageError(`no file '${f}'`);
  const rows = repinFiles(positionals, !values.check);
  if (values.json) out(JSON.stringify(rows));
  else {
    for (const r of rows) {
      if (r.status === 'ok') continue;
      out(`${r.status === 'lost' ? 'LOST    ' : values.check ? 'STALE   ' : 'REPINNED'} ${r.file}: ${r.token.slice(0, 48)}...`);
      out(`         ${r.detail}`);
    }
    const n = (s: string) => rows.filter((r) => r.status === s).length;
    out(`${rows.length} token(s): ${n('ok')} replay, ${n('repinned')} ${values.check ? 'stale' : 'repinned'}, ${n('lost')} lost`);
  }
  return rows.some((r) => r.status === 'lost' || (values.check && r.status === 'repinned')) ? 1 : 0;
}
