/**
 * Name-based UUIDs (RFC 9562 version 5), so the same story exported twice, by any worker, names its
 * objects with the same ids and a consumer updates them instead of adding copies.
 */
import { createHash } from 'node:crypto';

/** STIX 2.1 (section 2.9): the namespace of deterministic ids for cyber-observable objects. */
export const STIX_SCO_NAMESPACE = '00abedb4-aa42-466c-9c01-fed23315a9b7';
/** attribot's own namespace for the domain objects, relationships, MISP events and attributes it names. */
export const ATTRIBOT_NAMESPACE = '702e2e3f-92f7-4627-80f4-2dcc33718090';

export function uuidV5(namespace: string, name: string): string {
  const space = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  if (space.length !== 16) throw new Error(`not a UUID: ${namespace}`);
  const hash = createHash('sha1').update(space).update(name, 'utf8').digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
