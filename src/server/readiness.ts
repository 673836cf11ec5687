/**
 * GET /readyz: whether this worker is doing its job, as opposed to /healthz (is the process alive
 * and cycling at all). Pure: the app gathers the facts, this decides and says why.
 */

export interface ReadinessFacts {
  now: Date;
  /** The running configuration, once loaded (the worker never runs without one; the check says so). */
  config: { feeds: number } | null;
  /** The store's answer to a cheap probe. */
  store: { ok: true } | { ok: false; error: string };
  /** When this worker started, and when its last cycle finished (null: none yet). */
  startedAt: Date;
  lastCycleAt: Date | null;
  /** A cycle older than this is stale. */
  maxCycleAgeMs: number;
  /** Configured feeds whose last poll is known, and those of them that answered it. */
  feeds: { known: number; succeeding: number };
  minFeedSuccessRatio: number;
}

export interface Readiness {
  ready: boolean;
  /** Why not, one sentence per failed condition; empty when ready. */
  reasons: string[];
  checks: {
    config: boolean;
    store: boolean;
    cycle: boolean;
    feeds: boolean;
  };
  lastCycleAt: string | null;
  feeds: { known: number; succeeding: number; required: number };
}

function minutes(ms: number): string {
  const value = Math.round(ms / 60_000);
  return value < 1 ? 'less than a minute' : `${value} min`;
}

export function assessReadiness(facts: ReadinessFacts): Readiness {
  const reasons: string[] = [];
  const config = facts.config !== null;
  if (!config) reasons.push('no configuration is loaded');

  const store = facts.store.ok;
  if (!facts.store.ok) reasons.push(`the database cannot be reached: ${facts.store.error}`);

  const reference = facts.lastCycleAt ?? facts.startedAt;
  const age = facts.now.getTime() - reference.getTime();
  const cycle = facts.lastCycleAt !== null && age <= facts.maxCycleAgeMs;
  if (facts.lastCycleAt === null)
    reasons.push(`no cycle has finished yet (started ${minutes(age)} ago; the first one polls every feed)`);
  else if (!cycle)
    reasons.push(
      `the last cycle finished ${minutes(age)} ago (at most ${minutes(facts.maxCycleAgeMs)} allowed): the scheduler may be stuck`,
    );

  const { known, succeeding } = facts.feeds;
  const required = Math.ceil(known * facts.minFeedSuccessRatio);
  const feeds = known === 0 || succeeding >= required;
  if (!feeds)
    reasons.push(
      `only ${succeeding} of ${known} feeds answered their last poll (${required} needed, settings.readiness.minFeedSuccessRatio ${facts.minFeedSuccessRatio}): attribot feeds shows their errors`,
    );

  return {
    ready: reasons.length === 0,
    reasons,
    checks: { config, store, cycle, feeds },
    lastCycleAt: facts.lastCycleAt?.toISOString() ?? null,
    feeds: { known, succeeding, required },
  };
}
