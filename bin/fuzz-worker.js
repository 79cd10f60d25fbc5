// Worker-thread entry for nsm fuzz --workers: loads the TypeScript worker through tsx.
import { register } from 'tsx/esm/api';
register();
await import('../src/cli/fuzz/worker.ts');
