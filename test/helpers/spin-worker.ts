/** A worker module for the pool's own tests: one task that never returns, one that answers, one that dies. */
import { serveTasks } from '../../src/shared/worker-pool.js';

serveTasks({
  spin: () => {
    for (;;) {
      // Synchronous and endless: only terminating the thread stops it.
    }
  },
  echo: (payload: { value: string }) => payload.value,
  fail: (payload: { message: string }) => {
    throw Object.assign(new Error(payload.message), { kind: 'custom' });
  },
  exit: () => process.exit(3),
});
