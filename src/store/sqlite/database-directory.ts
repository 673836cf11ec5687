/**
 * The directory a SQLite database file goes in, created level by level. Node 20's
 * `mkdirSync(dir, { recursive: true })` reports a file in the way as "EEXIST … mkdir" and spins
 * forever where the kernel refuses a level with ENOENT (under /proc), so the walk is done here:
 * find the nearest existing ancestor, check it is a directory, create each missing level.
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { AppError } from '../../shared/errors.js';

/** Makes sure the directory of the database file `databasePath` exists; an AppError says why it cannot. */
export function ensureDatabaseDirectory(databasePath: string): void {
  const missing: string[] = [];
  let level = resolve(dirname(databasePath));
  for (;;) {
    const found = statOrNull(level, databasePath);
    if (found) {
      if (!found.isDirectory())
        throw new AppError(
          `cannot create the database ${databasePath}: ${level} is not a directory; set ATTRIBOT_DB to a file in a directory`,
        );
      break;
    }
    missing.unshift(level);
    const parent = dirname(level);
    // The root is always there; reaching it missing means the path is unusable.
    if (parent === level)
      throw new AppError(`cannot create the database ${databasePath}: ${level} does not exist`);
    level = parent;
  }
  for (const directory of missing) {
    try {
      mkdirSync(directory);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      // Another process made it meanwhile: as good as made here.
      if (code === 'EEXIST' && statOrNull(directory, databasePath)?.isDirectory()) continue;
      throw new AppError(
        `cannot create the database ${databasePath}: cannot make the directory ${directory} (${code}); create it or set ATTRIBOT_DB elsewhere`,
        { cause: error },
      );
    }
  }
}

/** The level's stat, or null when it does not exist (ENOENT) or an ancestor is a file (ENOTDIR). */
function statOrNull(level: string, databasePath: string): ReturnType<typeof statSync> | null {
  try {
    return statSync(level);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw new AppError(
      `cannot create the database ${databasePath}: cannot look at ${level} (${code ?? 'error'})`,
      { cause: error },
    );
  }
}
