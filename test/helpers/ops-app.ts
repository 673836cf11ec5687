/**
 * A worker (App) on a temp SQLite database with its ops server (/, /healthz, /readyz, /metrics) on
 * loopback port 0, as `attribot run` wires them, with a clock the test moves.
 */
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { App } from '../../src/app.js';
import { applyEnvironment } from '../../src/config/env.js';
import { Config, type ConfigInput } from '../../src/config/schema.js';
import { PrometheusMetrics } from '../../src/server/metrics.js';
import { type OpsServer, startOpsServer } from '../../src/server/server.js';
import { type Logger, silentLogger } from '../../src/shared/logger.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { TestClock } from './test-clock.js';

export interface OpsApp {
  app: App;
  ops: OpsServer;
  clock: TestClock;
  /** `http://127.0.0.1:<port>` */
  base: string;
  stdout: PassThrough;
  close(): Promise<void>;
}

export async function startOpsApp(
  config: ConfigInput,
  options: { dir: string; log?: Logger; wrapStore?: (store: Store) => Store; env?: Record<string, string> },
): Promise<OpsApp> {
  const clock = new TestClock(new Date().toISOString());
  const { effective } = applyEnvironment(Config.parse(config), {
    ATTRIBOT_DB: join(options.dir, `ops-${Math.random().toString(36).slice(2)}.db`),
    ...options.env,
  });
  if (!effective) throw new Error('test config is invalid');
  const opened = await openStore(effective.database);
  const store = options.wrapStore ? options.wrapStore(opened.store) : opened.store;
  const metrics = new PrometheusMetrics();
  const stdout = new PassThrough();
  const app = new App(
    effective,
    { log: options.log ?? silentLogger(), stdout, clock, metrics },
    { store, overrides: opened.overrides },
  );
  const ops = await startOpsServer({
    host: '127.0.0.1',
    port: 0,
    metrics,
    health: () => app.health(),
    readiness: () => app.readiness(),
    statusPage: () => app.statusPage('0.0.0-test'),
  });
  return {
    app,
    ops,
    clock,
    stdout,
    base: `http://127.0.0.1:${ops.port}`,
    close: async () => {
      await ops.close();
      await app.stop();
    },
  };
}

/** One sample of the Prometheus text format: `name{labels} value`. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the exposition format's samples (comments skipped); enough for prom-client's output. */
export function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
      labels[pair[1] as string] = (pair[2] as string).replace(/\\(.)/g, '$1');
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The value of the one sample with this name and these labels (among others); undefined when absent. */
export function sampleValue(
  samples: readonly Sample[],
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  return samples.find(
    (sample) =>
      sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  )?.value;
}
