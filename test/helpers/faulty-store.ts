import type { Store } from '../../src/store/store.js';

/** `store`, whose `method` throws as a failing disk does while `failing()` says so; everything else real. */
export function failingCalls<T extends Store>(store: T, method: keyof Store, failing: () => boolean): T {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      const bound = value.bind(target);
      if (property !== method) return bound;
      return async (...args: unknown[]) => {
        if (failing()) throw new Error('SQLITE_IOERR: disk I/O error');
        return bound(...args);
      };
    },
  });
}
