/**
 * Schemas of the files nsm reads back: failure artefacts
 * (.nsm/failures/*.json) and campaign checkpoints/results
 * (.nsm/campaigns/<c>/{checkpoint,result}.json). A file that does not match
 * is refused with one line naming the first field that is wrong; nothing is
 * trusted field by field. zod (a well-kept schema library) does the checking.
 */
import { z } from 'zod';

const failureSchema = z.object({
  kind: z.enum(['assert', 'invariant', 'end-state', 'deadlock', 'step-limit', 'use-after-free', 'lock-discipline', 'lock-order', 'model-error', 'divergence']),
  spec: z.string(),
  message: z.string(),
  step: z.number().int().min(0),
  thread: z.string().nullable(),
  details: z.array(z.string()),
});

const timelineRowSchema = z.object({
  step: z.number().int().min(0),
  thread: z.string(),
  effects: z.array(z.string()),
  sites: z.array(z.string()),
  preempted: z.boolean(),
  now: z.number(),
  held: z.record(z.string(), z.array(z.string())),
  objects: z.record(z.string(), z.string()).nullable(),
  values: z.array(z.string()).optional(),
});

const paramValue = z.union([z.number(), z.boolean(), z.string()]);

export const artefactSchema = z.object({
  version: z.literal(1),
  scenario: z.string().min(1),
  mutant: z.string().nullable(),
  params: z.record(z.string(), paramValue),
  failure: failureSchema,
  token: z.string().startsWith('nsm'),
  steps: z.number().int().min(0),
  preemptions: z.number().int().min(0),
  timeline: z.array(timelineRowSchema),
});

const coverageSchema = z.object({
  states: z.record(z.string(), z.array(z.string())),
  transitions: z.record(z.string(), z.array(z.string())),
  totals: z.record(z.string(), z.object({ states: z.number(), transitions: z.number() })),
  pairs: z.array(z.string()),
  contention: z.object({ mutexes: z.array(z.string()), cvsMultiWaiter: z.array(z.string()), rwWriterWaited: z.array(z.string()) }),
});

export const campaignResultSchema = z.object({
  version: z.literal(1),
  config: z.object({
    scenario: z.string(),
    strategy: z.enum(['random', 'pct', 'portfolio']),
    depth: z.number().int().min(1),
    seed: z.number().int().min(0),
    mutant: z.string().nullable(),
    params: z.record(z.string(), paramValue),
    batch: z.number().int().min(1),
    schedules: z.number().int().min(0),
    shard: z.object({ index: z.number().int().min(0), count: z.number().int().min(1) }),
  }),
  doneBatches: z.array(z.number().int().min(0)),
  schedules: z.number().int().min(0),
  steps: z.number().int().min(0),
  elapsedMs: z.number().min(0),
  failures: z.array(
    z.object({
      spec: z.string(),
      message: z.string(),
      token: z.string(),
      steps: z.number().int(),
      preemptions: z.number().int(),
      artefact: z.string().nullable(),
      batch: z.number().int(),
    }),
  ),
  coverage: coverageSchema,
  interrupted: z.boolean(),
});

/** The first problem zod found, as `field.path: message`. */
export function firstIssue(e: z.ZodError): string {
  const i = e.issues[0]!;
  return `${i.path.length ? i.path.join('.') : '(top level)'}: ${i.message}`;
}
