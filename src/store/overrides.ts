import type { MuteEntry, Overrides, WatchEntry } from '../config/overrides.js';
import type { MatchKind } from '../config/schema.js';

/**
 * Where the slash-command layer over the YAML config lives (watch entries and mutes). Entries are
 * identified by kind and case-folded value (`entryKey`), so adding `APT41` twice keeps one.
 */
export interface OverrideStore {
  /** Everything stored, expired mutes included (applyOverrides ignores them). */
  loadOverrides(): Promise<Overrides>;
  /** False when the entry was already there. */
  addWatch(entry: WatchEntry): Promise<boolean>;
  /** False when there was no such entry. */
  removeWatch(kind: MatchKind, value: string): Promise<boolean>;
  /** Adds a mute or moves the end of an existing one. */
  putMute(entry: MuteEntry): Promise<void>;
  /** False when there was no such mute. */
  removeMute(kind: MatchKind, value: string): Promise<boolean>;
  /** Deletes mutes that ended before `at`; returns how many. */
  pruneMutes(at: string): Promise<number>;
}
