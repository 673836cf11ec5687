/** A place in the config: keys and list indexes, such as `['routes', 0, 'destinations']`. */
export type KeyPath = ReadonlyArray<string | number>;

/** `routes[0].destinations`, as problems print it. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}
