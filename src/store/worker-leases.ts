/**
 * Who a worker is in the leases it shares with other workers on one database, and how a restarted
 * worker frees what a dead one on the same host still holds. A lease of a worker on another host
 * can only expire; one on this host whose process is gone (or whose pid this very process now has,
 * as after a container restart) is freed at once, so a crash does not stall delivery for a lease.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Store } from './store.js';

let WORKER_ID: string | undefined;

/** `host:pid:tag`: host and pid let a later process on the host judge it; the tag tells incarnations apart. */
export function workerId(): string {
  WORKER_ID ??= `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  return WORKER_ID;
}

interface WorkerName {
  host: string;
  pid: number;
}

function parseWorker(owner: string): WorkerName | null {
  const match = /^(.*):(\d+):[0-9a-f]+$/.exec(owner);
  if (!match) return null;
  return { host: match[1] as string, pid: Number(match[2]) };
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether `owner` is a worker of this host that is certainly no longer running. */
export function isDeadLocalWorker(owner: string, self = workerId()): boolean {
  if (owner === self) return false;
  const other = parseWorker(owner);
  const me = parseWorker(self);
  if (!other || !me || other.host !== me.host) return false;
  return other.pid === me.pid || !processAlive(other.pid);
}

/** Frees every lease held by a dead worker of this host; returns the owners freed. */
export async function freeDeadLocalLeases(store: Store, self = workerId()): Promise<string[]> {
  const owners = new Set((await store.listLeases()).map((lease) => lease.owner));
  const dead = [...owners].filter((owner) => isDeadLocalWorker(owner, self));
  for (const owner of dead) await store.releaseLeases(owner);
  return dead;
}
