/** nsm check's help is written by hand: it must name every flag the parser takes. */
import { describe, expect, it } from 'vitest';
import { checkFlags } from '../src/cli/args.ts';
import { help } from '../src/cli/commands/check.ts';

describe('nsm check --help', () => {
  it('documents every flag of checkFlags', () => {
    const missing = Object.keys(checkFlags).filter((f) => !new RegExp(`--${f}\\b`).test(help));
    expect(missing).toEqual([]);
  });
});
