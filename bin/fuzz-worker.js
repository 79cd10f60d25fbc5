// Worker-thread entry for nsm fuzz --workers: the compiled worker in an
// installed package, the TypeScript one (through tsx) in a checkout.
import { existsSync } from 'node:fs';
if (existsSync(new URL('../src/cli/fuzz/worker.ts', import.meta.url))) {
  const { register } = await import('tsx/esm/api');
  register();
  globalThis.__nsmTypeScript = true; // src/cli/load.ts: .ts modules load already
  await import('../src/cli/fuzz/worker.ts');
} else {
  await import('../dist/cli/fuzz/worker.js');
}
