/**
 * Every test file: after each test, give the event loop one turn.
 *
 * The explorations are synchronous, and vitest goes from one test to the
 * next through promises only, so a file of many synchronous tests (the
 * catalogue: a minute or more) never lets the worker read vitest's replies
 * to its progress messages; their 60 s RPC timer then fires and the run
 * fails with "Timeout calling onTaskUpdate" although every test passed.
 * One setImmediate per test lets the replies in.
 */
import { afterEach } from 'vitest';

afterEach(() => new Promise<void>((resolve) => setImmediate(resolve)));
