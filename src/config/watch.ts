/**
 * Hot reload: watch the config file's folder (editors replace files rather than write them in
 * place), debounce, load and validate, and swap only a config without errors.
 */
import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname } from 'node:path';
import { errorMessage } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { EffectiveConfig } from './env.js';
import { type ConfigProblem, formatProblem } from './load.js';

export interface WatchOptions {
  load: () => Promise<{
    effective: EffectiveConfig | null;
    errors: ConfigProblem[];
    warnings: ConfigProblem[];
  }>;
  apply: (effective: EffectiveConfig) => void;
  log: Logger;
  debounceMs?: number;
}

/** Starts watching; returns the function that stops it. */
export function watchConfigFile(file: string, options: WatchOptions): () => void {
  const { load, apply, log } = options;
  const name = basename(file);
  let timer: NodeJS.Timeout | null = null;
  let watcher: FSWatcher;

  const reload = async (): Promise<void> => {
    try {
      const result = await load();
      for (const warning of result.warnings) log.warn({ problem: formatProblem(warning) }, 'Config warning');
      if (!result.effective) {
        for (const error of result.errors) log.error({ problem: formatProblem(error) }, 'Config error');
        log.error(
          { file, errors: result.errors.length },
          'Config change rejected; the running config is kept',
        );
        return;
      }
      apply(result.effective);
    } catch (error) {
      log.error({ file, err: errorMessage(error) }, 'Config reload failed; the running config is kept');
    }
  };

  try {
    watcher = watch(dirname(file), (_event, changed) => {
      if (changed !== null && changed !== name) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        timer = null;
        void reload();
      }, options.debounceMs ?? 300);
    });
  } catch (error) {
    log.warn({ file, err: errorMessage(error) }, 'Cannot watch the config file; reload needs a restart');
    return () => undefined;
  }
  watcher.unref();
  return () => {
    if (timer) clearTimeout(timer);
    watcher.close();
  };
}

/** What differs between two effective configs, as short phrases for the log. Pure. */
export function describeChanges(before: EffectiveConfig, after: EffectiveConfig): string[] {
  const changes: string[] = [];
  const feedsBefore = new Set(before.config.feeds.map((feed) => feed.url));
  const feedsAfter = new Set(after.config.feeds.map((feed) => feed.url));
  for (const url of feedsAfter) if (!feedsBefore.has(url)) changes.push(`feed added: ${url}`);
  for (const url of feedsBefore) if (!feedsAfter.has(url)) changes.push(`feed removed: ${url}`);
  const beforeFeeds = new Map(before.config.feeds.map((feed) => [feed.url, JSON.stringify(feed)]));
  for (const feed of after.config.feeds) {
    const previous = beforeFeeds.get(feed.url);
    if (previous !== undefined && previous !== JSON.stringify(feed))
      changes.push(`feed changed: ${feed.url}`);
  }
  const destinationsBefore = new Set(before.destinations.map((target) => target.name));
  const destinationsAfter = new Set(after.destinations.map((target) => target.name));
  for (const name of destinationsAfter)
    if (!destinationsBefore.has(name)) changes.push(`destination added: ${name}`);
  for (const name of destinationsBefore)
    if (!destinationsAfter.has(name)) changes.push(`destination removed: ${name}`);
  const settingsBefore = before.config.settings as Record<string, unknown>;
  for (const [key, value] of Object.entries(after.config.settings)) {
    if (JSON.stringify(settingsBefore[key]) !== JSON.stringify(value))
      changes.push(`settings.${key} changed`);
  }
  for (const key of Object.keys(after.config)) {
    if (key === 'settings' || key === 'feeds' || key === 'destinations') continue;
    const a = (before.config as Record<string, unknown>)[key];
    const b = (after.config as Record<string, unknown>)[key];
    if (JSON.stringify(a) !== JSON.stringify(b)) changes.push(`${key} changed`);
  }
  return changes;
}
