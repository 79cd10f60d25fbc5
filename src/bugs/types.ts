/**
 * The bug catalogue: every mutant (a deliberately weakened guard of the C
 * code) and every finding (a race in the unmodified C code) is an entry
 * with the search that finds it, its pinned replay token, and how the clean
 * (or fixed) model is shown to pass.
 */
import type { FailureKind } from '../core/errors.ts';
import type { ParamValue } from '../core/scenario.ts';
import type { SearchConfig } from '../core/config.ts';

/** A catalogued search: a SearchConfig (defaults from config.ts DEFAULTS) with a required budget, and params. */
export interface SearchSpec extends Pick<SearchConfig, 'strategy'>, Partial<Pick<SearchConfig, 'seed' | 'depth' | 'preemptions'>> {
  /** Budget: the search must find the failure within this many schedules. */
  schedules: number;
  params?: Record<string, ParamValue>;
}

/** A catalogued mutant; K is the system's keyed table (actors/<system>/mutants.ts), so a misspelt entry does not compile. */
export interface MutantEntry<K extends string = string> {
  /** Mutant name, as given to --mutant; model code reads ex.bug(name). */
  mutant: K;
  system: string;
  scenario: string;
  /** The guard it weakens: 'netstack.c L628'. */
  cLine: string;
  /** What the mutant changes, in one line. */
  description: string;
  /** The spec it must violate (and optionally the failure kind). */
  expect: { spec: string; kind?: FailureKind };
  /** A search that finds it within budget. */
  find: SearchSpec;
  /** Pinned replay token: replays to a failure of expect.spec. */
  token: string;
  /** How the same scenario is shown to pass without the mutant. */
  clean: SearchSpec;
}

export interface FindingEntry {
  /** Short id, 'NS-1'. */
  id: string;
  system: string;
  scenario: string;
  title: string;
  /** C lines involved. */
  cLines: string;
  expect: { spec: string; kind?: FailureKind };
  find: SearchSpec;
  token: string;
  /**
   * Other scenarios where the same race shows, the spec it violates there,
   * the parameters (other findings' fixes) needed for it to be the first
   * failure found, and the search that finds it there (default: DPOR within
   * 5,000 schedules). An entry without parameters is a first failure of the
   * unmodified scenario, which `nsm start` and `nsm check --all` report as
   * this finding. `sites`: where the spec shows several races in the
   * scenario (a use-after-free of one stack from three places), the C lines
   * (the failing step's Effect.site) at which this one fails; a failure of
   * the spec elsewhere is not this finding.
   */
  alsoSeenIn?: { scenario: string; spec: string; params?: Record<string, ParamValue>; find?: SearchSpec; sites?: string[] }[];
  /** Scenario parameters that switch on the candidate fix, and the search that shows it passes. */
  fix: { params: Record<string, ParamValue>; verify: SearchSpec };
}
