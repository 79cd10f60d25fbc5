/**
 * nsm: the command line. Exit codes: 0 pass, 1 failure found, 2 bad input,
 * 3 incomplete (an exhaustive search ran out of budget).
 */
import { ConfigError } from '../core/config.ts';
import { ParamError } from '../core/params.ts';
import { ModelError } from '../core/errors.ts';
import { clearUserScenarios } from '../scenarios/registry.ts';
import { UsageError } from './errors.ts';
import { loadedModules, loadScenarioModules, takeLoadFlags } from './load.ts';
import * as listCmd from './commands/list.ts';
import * as checkCmd from './commands/check.ts';
import * as replayCmd from './commands/replay.ts';
import * as startCmd from './commands/start.ts';
import * as regressCmd from './commands/regress.ts';
import * as repinCmd from './commands/repin.ts';
import * as shrinkCmd from './commands/shrink.ts';
import * as explainCmd from './commands/explain.ts';
import * as fuzzCmd from './commands/fuzz.ts';
import * as mergeCmd from './commands/merge.ts';
import * as coverageCmd from './commands/coverage.ts';
import * as exportCmd from './commands/export.ts';
import * as mutantsCmd from './commands/mutants.ts';

const GENERAL_HELP = `nsm: explore kernel locking protocols under a deterministic scheduler

usage: nsm <command> [options]

commands:
  list      list the scenarios
  check     explore one scenario (or --all) and report a verdict
  replay    re-run a replay token and show its timeline
  shrink    shrink a failing token further
  explain   tell a failure step by step (text, Mermaid, HTML)
  regress   replay every pinned token and rerun every catalogued search
  repin     refresh the replay tokens written in files after a model change
  mutants   list the bug catalogue
  fuzz      run a fuzz campaign (workers, checkpoints, shards, --resume)
  merge     combine the result files of a sharded campaign
  coverage  machine, state-pair and contention coverage of a scenario
  export    write the xstate machines as Mermaid state diagrams
  start     regress + check --all, one table (what npm start runs)

Run 'nsm <command> --help' (or 'nsm help <command>') for a command's options
and examples.

Your own scenarios: --load FILE (any command, repeatable) imports an ES module
(.js/.mjs, or .ts with tsx installed) and registers every scenario it
exports; its names and replay tokens then work like the built-in ones:
  nsm check --load ./models.js handoff
  nsm replay --load ./models.js nsm1:handoff:-:-:...`;

/** Every command (src/cli/commands/): its help text and what it runs. */
const commands = {
  list: listCmd,
  check: checkCmd,
  replay: replayCmd,
  start: startCmd,
  regress: regressCmd,
  repin: repinCmd,
  shrink: shrinkCmd,
  explain: explainCmd,
  fuzz: fuzzCmd,
  merge: mergeCmd,
  coverage: coverageCmd,
  export: exportCmd,
  mutants: mutantsCmd,
} as const;

/** File errors that are the user's situation, not a bug: one line, exit 2. */
const FS_CODES = new Set(['EACCES', 'EROFS', 'EPERM', 'ENOSPC', 'ENOENT', 'EISDIR', 'ENOTDIR', 'EEXIST']);

/** Run nsm with argv; returns the exit code. `out` receives each output line. */
export async function main(argv: string[], out: (s: string) => void = (s) => console.log(s), err: (s: string) => void = (s) => console.error(s)): Promise<number> {
  try {
    // --load FILE (any command, repeatable): the user's scenarios, registered before the command runs.
    const { files, rest: args } = takeLoadFlags(argv);
    clearUserScenarios();
    await loadScenarioModules(files);
    loadedModules.splice(0, loadedModules.length, ...files);
    return await dispatch(args, out, err);
  } catch (e) {
    return reportError(e, err);
  }
}

async function dispatch(argv: string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const [cmd, ...rest] = argv;
  {
    switch (cmd) {
      case undefined:
        out(GENERAL_HELP);
        throw new UsageError('no command given (see the commands above)');
      case '--help':
      case '-h':
        out(GENERAL_HELP);
        return 0;
      case 'help':
        if (rest.length === 0) return out(GENERAL_HELP), 0;
        if (!Object.hasOwn(commands, rest[0]!)) throw new UsageError(`no command '${rest[0]}' (see nsm --help)`);
        out(commands[rest[0] as keyof typeof commands].help);
        return 0;
      case 'list':
        return commands.list.run(rest, out);
      case 'check':
        return commands.check.run(rest, out, err);
      case 'replay':
        return commands.replay.run(rest, out);
      case 'start':
        return commands.start.run(rest, out);
      case 'regress':
        return commands.regress.run(rest, out);
      case 'repin':
        return commands.repin.run(rest, out);
      case 'shrink':
        return commands.shrink.run(rest, out);
      case 'explain':
        return await commands.explain.run(rest, out);
      case 'mutants':
        return commands.mutants.run(rest, out);
      case 'fuzz':
        return await commands.fuzz.run(rest, out, err);
      case 'merge':
        return commands.merge.run(rest, out);
      case 'coverage':
        return commands.coverage.run(rest, out);
      case 'export':
        return await commands.export.run(rest, out);
      default:
        throw new UsageError(`unknown command '${cmd}' (see nsm --help)`);
    }
  }
}

function reportError(e: unknown, err: (s: string) => void): number {
  {
    if (e instanceof UsageError || e instanceof ParamError || e instanceof ConfigError || e instanceof ModelError) {
      err(`nsm: ${e.message}`);
      return 2;
    }
    // A file that cannot be read or written (read-only directory, full disk): one line, exit 2.
    const fsErr = e as NodeJS.ErrnoException;
    if (fsErr && typeof fsErr.code === 'string' && typeof fsErr.syscall === 'string' && FS_CODES.has(fsErr.code)) {
      err(`nsm: cannot ${fsErr.syscall} ${fsErr.path ?? ''}: ${fsErr.code}${fsErr.code === 'EACCES' || fsErr.code === 'EROFS' ? ' (set NSM_DIR to a writable directory)' : ''}`);
      return 2;
    }
    throw e;
  }
}
