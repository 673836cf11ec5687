import type { Store } from '../../src/store/store.js';

/** `store`, whose markSent throws as a failing disk does while `failing()` says so; everything else real. */
export function failingMarkSent<T extends Store>(store: T, failing: () => boolean): T {
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'markSent')
        return async (...args: Parameters<Store['markSent']>) => {
          if (failing()) throw new Error('SQLITE_IOERR: disk I/O error');
          return target.markSent(...args);
        };
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
