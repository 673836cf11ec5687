/**
 * `attribot run` processes for the crash harness: each incarnation of a worker slot is a process
 * of its own with a name (`w<slot>.<n>`) that reaches the fake Discord in its API base path, so
 * every request is known by the process that sent it. Logs go to a file per slot.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The compiled CLI (as users run it) or the sources through tsx (no build needed). */
export type CliFlavour = 'dist' | 'src';

/** argv (after node) that runs `attribot <args>` from any working directory. */
export function cliArgs(flavour: CliFlavour, args: readonly string[]): string[] {
  if (flavour === 'dist') return [join(ROOT, 'bin', 'attribot.js'), ...args];
  const tsx = pathToFileURL(join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
  return ['--import', tsx, join(ROOT, 'src', 'cli.ts'), ...args];
}

export interface WorkerEvent {
  at: number;
  kind: 'start' | 'kill' | 'exit' | 'stop';
  client: string;
  pid?: number;
  /** exit: the code, or the signal's name. */
  detail?: string;
}

export interface SlotOptions {
  slot: number;
  flavour: CliFlavour;
  configPath: string;
  cwd: string;
  logDir: string;
  /** Environment of every incarnation; `apiBaseFor(client)` gives its DISCORD_API_BASE. */
  env: Record<string, string>;
  apiBaseFor: (client: string) => string;
  events: WorkerEvent[];
  /** Called when a process ends without the harness having killed or stopped it. */
  onUnexpectedExit: (client: string, detail: string) => void;
}

export class WorkerSlot {
  readonly #options: SlotOptions;
  readonly logPath: string;
  readonly slot: number;
  #incarnation = 0;
  #child: ChildProcess | null = null;
  #client = '';
  #exited: Promise<void> = Promise.resolve();
  #ending = false;

  constructor(options: SlotOptions) {
    this.#options = options;
    this.slot = options.slot;
    this.logPath = join(options.logDir, `worker-${options.slot}.log`);
  }

  get client(): string {
    return this.#client;
  }

  get running(): boolean {
    return this.#child !== null;
  }

  start(): void {
    const { slot, flavour, configPath, cwd, env, apiBaseFor, events } = this.#options;
    this.#incarnation++;
    const client = `w${slot}.${this.#incarnation}`;
    this.#client = client;
    this.#ending = false;
    const log = openSync(this.logPath, 'a');
    const child = spawn(process.execPath, cliArgs(flavour, ['run', '--config', configPath]), {
      cwd,
      env: { ...env, DISCORD_API_BASE: apiBaseFor(client) },
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    this.#child = child;
    events.push({ at: Date.now(), kind: 'start', client, ...(child.pid ? { pid: child.pid } : {}) });
    this.#exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        const detail = signal ?? String(code);
        events.push({ at: Date.now(), kind: 'exit', client, detail });
        if (this.#child === child) this.#child = null;
        if (!this.#ending) this.#options.onUnexpectedExit(client, detail);
        resolve();
      });
    });
  }

  /** SIGKILL, as a crash or an OOM kill does; resolves once the process is gone. */
  async kill(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    this.#ending = true;
    this.#options.events.push({ at: Date.now(), kind: 'kill', client: this.#client });
    child.kill('SIGKILL');
    await this.#exited;
  }

  /** SIGKILL without waiting, for a harness that is exiting. */
  killNow(): void {
    this.#ending = true;
    this.#child?.kill('SIGKILL');
  }

  /** SIGTERM (a clean shutdown), then SIGKILL after `timeoutMs`. */
  async stop(timeoutMs = 10_000): Promise<void> {
    const child = this.#child;
    if (!child) return;
    this.#ending = true;
    this.#options.events.push({ at: Date.now(), kind: 'stop', client: this.#client });
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    await this.#exited;
    clearTimeout(timer);
  }

  /** The last `lines` lines of this slot's log. */
  logTail(lines = 30): string {
    try {
      return readFileSync(this.logPath, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }
}
