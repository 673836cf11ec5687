import { type FakeDiscord, startFakeDiscord } from './fake-discord.js';
import { type FeedServer, startFeedServer } from './feed-server.js';
import { makeTempDir } from './temp-dir.js';

/** The local peers an end-to-end test needs: a feed server, a fake Discord and a scratch folder. */
export interface Peers {
  feeds: FeedServer;
  discord: FakeDiscord;
  dir: string;
  close(): Promise<void>;
}

export async function startPeers(): Promise<Peers> {
  const temp = makeTempDir();
  const feeds = await startFeedServer();
  const discord = await startFakeDiscord();
  return {
    feeds,
    discord,
    dir: temp.dir,
    async close() {
      await feeds.close();
      await discord.close();
      temp.cleanup();
    },
  };
}

/** Polls `check` until it holds; fails after `timeoutMs`. */
export async function waitFor(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
