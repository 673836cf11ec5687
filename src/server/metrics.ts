/**
 * The Prometheus registry behind /metrics (prom-client): Node's process metrics and attribot's own,
 * every name prefixed `attribot_`. One registry per instance, so tests and several workers in one
 * process never share series.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { CycleMetrics, Metrics, PollStatus } from '../shared/metrics.js';

const PREFIX = 'attribot_';
/** Distinct feed label values ever used; past it every further feed is counted under OTHER_FEED. */
export const MAX_FEED_LABELS = 1000;
/** The label of a feed outside the running config (or past the cap): the label set stays bounded. */
export const OTHER_FEED = '(other)';

export class PrometheusMetrics implements Metrics {
  readonly #registry = new Registry();
  readonly #configured = new Set<string>();
  readonly #labelled = new Set<string>();
  readonly #feedPolls: Counter<'status'>;
  readonly #feedFailures: Counter<'feed'>;
  readonly #pollDuration: Histogram<'status'>;
  readonly #cycleDuration: Histogram;
  readonly #extraction: Histogram;
  readonly #deliveryLatency: Histogram;
  readonly #items: Counter<'kind'>;
  readonly #alerts: Counter;
  readonly #notices: Counter<'kind'>;
  readonly #deliveries: Counter<'result'>;
  readonly #outbox: Gauge<'status'>;
  readonly #lastCycle: Gauge;

  constructor() {
    const registers = [this.#registry];
    collectDefaultMetrics({ register: this.#registry, prefix: PREFIX });
    this.#feedPolls = new Counter({
      name: `${PREFIX}feed_polls_total`,
      help: 'Feed polls by outcome (skipped: the worker was stopping; elsewhere: another worker polled it).',
      labelNames: ['status'],
      registers,
    });
    this.#feedFailures = new Counter({
      name: `${PREFIX}feed_failures_total`,
      help: `Failed polls per configured feed (by name; "${OTHER_FEED}" for feeds no longer configured).`,
      labelNames: ['feed'],
      registers,
    });
    this.#pollDuration = new Histogram({
      name: `${PREFIX}feed_poll_duration_seconds`,
      help: 'Time one poll of one feed took: fetch, parse, article pages, analysis and commit.',
      labelNames: ['status'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120],
      registers,
    });
    this.#cycleDuration = new Histogram({
      name: `${PREFIX}cycle_duration_seconds`,
      help: "Time one cycle took: the due feeds' polls and the delivery that follows.",
      buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
      registers,
    });
    this.#extraction = new Histogram({
      name: `${PREFIX}extraction_duration_seconds`,
      help: 'Time to extract and attribute one article.',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.#deliveryLatency = new Histogram({
      name: `${PREFIX}delivery_latency_seconds`,
      help: "Time from a feed item's first sight to the destination acknowledging its alert or update.",
      buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600, 86400],
      registers,
    });
    this.#items = new Counter({
      name: `${PREFIX}items_total`,
      help: 'Feed items recorded, by disposition.',
      labelNames: ['kind'],
      registers,
    });
    this.#alerts = new Counter({
      name: `${PREFIX}alerts_total`,
      help: 'Attribution reports that produced alerts.',
      registers,
    });
    this.#notices = new Counter({
      name: `${PREFIX}notices_total`,
      help: 'Admin notices.',
      labelNames: ['kind'],
      registers,
    });
    this.#deliveries = new Counter({
      name: `${PREFIX}deliveries_total`,
      help: 'Outbox deliveries by result.',
      labelNames: ['result'],
      registers,
    });
    this.#outbox = new Gauge({
      name: `${PREFIX}outbox_rows`,
      help: 'Outbox rows by status, after the last cycle.',
      labelNames: ['status'],
      registers,
    });
    this.#lastCycle = new Gauge({
      name: `${PREFIX}last_cycle_timestamp_seconds`,
      help: 'When the last cycle finished (Unix time).',
      registers,
    });
  }

  get contentType(): string {
    return this.#registry.contentType;
  }

  render(): Promise<string> {
    return this.#registry.metrics();
  }

  useFeeds(names: readonly string[]): void {
    this.#configured.clear();
    for (const name of names) {
      this.#configured.add(name);
      // Every configured feed shows at 0 from the start, so rate() and alerts see it before its first failure.
      const label = this.#feedLabel(name);
      if (label !== OTHER_FEED) this.#feedFailures.inc({ feed: label }, 0);
    }
  }

  #feedLabel(name: string): string {
    if (!this.#configured.has(name)) return OTHER_FEED;
    if (this.#labelled.has(name)) return name;
    if (this.#labelled.size >= MAX_FEED_LABELS) return OTHER_FEED;
    this.#labelled.add(name);
    return name;
  }

  feedPolled(feed: string, status: PollStatus, seconds: number): void {
    this.#feedPolls.inc({ status });
    if (status === 'skipped' || status === 'elsewhere') return;
    this.#pollDuration.observe({ status }, seconds);
    if (status === 'failed') this.#feedFailures.inc({ feed: this.#feedLabel(feed) });
  }

  articleAnalysed(seconds: number): void {
    this.#extraction.observe(seconds);
  }

  itemDelivered(seconds: number): void {
    this.#deliveryLatency.observe(Math.max(0, seconds));
  }

  cycleFinished(cycle: CycleMetrics): void {
    this.#cycleDuration.observe(cycle.seconds);
    for (const [kind, count] of Object.entries(cycle.items)) if (count > 0) this.#items.inc({ kind }, count);
    if (cycle.alerts > 0) this.#alerts.inc(cycle.alerts);
    for (const kind of cycle.notices) this.#notices.inc({ kind });
    for (const [result, count] of Object.entries(cycle.delivery))
      if (count > 0) this.#deliveries.inc({ result }, count);
    for (const [status, count] of Object.entries(cycle.outbox)) this.#outbox.set({ status }, count);
    this.#lastCycle.set(Math.round(cycle.finishedAt.getTime() / 1000));
  }
}
