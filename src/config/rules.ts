import cron from 'node-cron';
import type { Config } from './schema.js';

export interface RuleProblem {
  path: Array<string | number>;
  message: string;
}

/** Cross-key checks the schema cannot express. Pure. */
export function checkRules(config: Config): { errors: RuleProblem[]; warnings: RuleProblem[] } {
  const errors: RuleProblem[] = [];
  const warnings: RuleProblem[] = [];

  if (!cron.validate(config.settings.schedule)) {
    errors.push({ path: ['settings', 'schedule'], message: `not a valid cron expression: "${config.settings.schedule}"` });
  }

  const seenFeeds = new Map<string, number>();
  config.feeds.forEach((feed, index) => {
    const key = new URL(feed.url).href;
    const first = seenFeeds.get(key);
    if (first !== undefined) {
      warnings.push({ path: ['feeds', index, 'url'], message: `duplicate of feeds[${first}]; polled once` });
    } else {
      seenFeeds.set(key, index);
    }
  });

  const seenTargets = new Map<string, number>();
  config.destinations.forEach((target, index) => {
    const first = seenTargets.get(target.name);
    if (first !== undefined) {
      errors.push({ path: ['destinations', index, 'name'], message: `name "${target.name}" already used by destinations[${first}]` });
    } else {
      seenTargets.set(target.name, index);
    }
  });

  return { errors, warnings };
}
