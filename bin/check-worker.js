// Worker-thread entry for nsm check --workers: the compiled worker in an
// installed package, the TypeScript one (through tsx) in a checkout.
import { existsSync } from 'node:fs';
if (existsSync(new URL('../src/cli/check-worker.ts', import.meta.url))) {
  const { register } = await import('tsx/esm/api');
  register();
  globalThis.__nsmTypeScript = true; // src/cli/load.ts: .ts modules load already
  await import('../src/cli/check-worker.ts');
} else {
  await import('../dist/cli/check-worker.js');
}
