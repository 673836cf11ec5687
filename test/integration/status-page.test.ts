/**
 * The status page (GET / on the ops port) in a real browser: Debian's Chromium driven by
 * playwright-core, at a phone's viewport, after a real cycle with a hostile feed. It must show the
 * feeds, a story and the destinations' queues, fit the screen, and run nothing a feed sent.
 * The screenshot goes to test-output/status-page.png.
 *
 * Without /usr/bin/chromium the test is skipped with a note, except in CI (CI=true or
 * ATTRIBOT_REQUIRE_CHROMIUM=1, which .ci/run sets after installing it), where it fails instead.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { etagOf, type FeedServer, startFeedServer } from '../helpers/feed-server.js';
import { type OpsApp, startOpsApp } from '../helpers/ops-app.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const CHROMIUM = process.env.ATTRIBOT_CHROMIUM ?? '/usr/bin/chromium';
const REQUIRED = process.env.ATTRIBOT_REQUIRE_CHROMIUM === '1' || process.env.CI === 'true';
const AVAILABLE = existsSync(CHROMIUM);
if (!AVAILABLE && !REQUIRED)
  console.warn(
    `status page browser test skipped: no Chromium at ${CHROMIUM} (apt-get install chromium; CI installs it and requires this test)`,
  );

const OUTPUT_DIR = new URL('../../test-output/', import.meta.url);
const PHONE = { width: 390, height: 844 };

const HOSTILE_FEED_NAME = '<img src=x onerror="window.pwned=1">Evil Feed';
const HOSTILE_TITLE = 'Australia accuses China <script>window.pwned=2</script> over parliament breach';

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** `title` reaches the store as this text: escaped once for the XML and once for the HTML a feed title is. */
function rss(link: string, title: string): string {
  return `<?xml version="1.0"?><rss version="2.0"><channel><title>Desk</title><link>https://desk.example/</link>
  <item><title>${escapeXml(escapeXml(title))}</title><link>${escapeXml(link)}</link>
  <pubDate>${new Date(Date.now() - 3_600_000).toUTCString()}</pubDate>
  <description>The Australian government said on Tuesday that hackers working for China's Ministry of State Security breached the parliament's email system last month.</description></item>
  </channel></rss>`;
}

describe.skipIf(!AVAILABLE && !REQUIRED)('the status page in Chromium', () => {
  const temp = makeTempDir();
  let feeds: FeedServer;
  let worker: OpsApp;
  let browser: Browser;

  beforeAll(async () => {
    if (!AVAILABLE) throw new Error(`Chromium is required here (CI) but missing at ${CHROMIUM}`);
    feeds = await startFeedServer();
    const hostile = rss('https://evil.example/"><script>window.pwned=3</script>', HOSTILE_TITLE);
    feeds.serve('/evil.xml', { body: hostile, contentType: 'application/rss+xml', etag: etagOf(hostile) });
    worker = await startOpsApp(
      {
        feeds: [
          { url: feeds.url('/evil.xml'), name: HOSTILE_FEED_NAME },
          { url: feeds.url('/missing.xml'), name: 'Desk News' },
        ],
        destinations: [
          { name: 'log', type: 'console' },
          { name: 'intel', type: 'webhook', webhookUrlEnv: 'INTEL_HOOK' },
        ],
      },
      {
        dir: temp.dir,
        // The webhook's Discord does not answer: its alert waits in the outbox.
        env: {
          INTEL_HOOK: 'https://discord.com/api/webhooks/123456789012345678/abcdefTOKEN',
          DISCORD_API_BASE: 'http://127.0.0.1:9/api',
        },
      },
    );
    await worker.app.cycle();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await worker?.close();
    await feeds?.close();
    temp.cleanup();
  });

  it('shows feeds, a story and each destination’s queue on a phone, escaped, and saves a screenshot', async () => {
    const page = await browser.newPage({ viewport: PHONE, deviceScaleFactor: 2, isMobile: true });
    const scriptErrors: string[] = [];
    page.on('pageerror', (error) => scriptErrors.push(error.message));
    const response = await page.goto(`${worker.base}/`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("default-src 'none'");
    expect(await page.title()).toBe('attribot status');

    // Feeds, by name, with their health; the failing one first.
    const feedCards = page.locator('#feeds li');
    await expect.poll(() => feedCards.count()).toBe(2);
    expect(await feedCards.nth(0).textContent()).toContain('Desk News');
    expect(await feedCards.nth(0).textContent()).toMatch(/failing|backing-off/);
    expect(await feedCards.nth(1).textContent()).toContain(HOSTILE_FEED_NAME);

    // The story, its title as text, and where it went.
    const story = page.locator('#stories li').first();
    expect(await story.textContent()).toContain(HOSTILE_TITLE);
    expect(await story.textContent()).toMatch(/log \(sent\)/);
    expect(await story.textContent()).toMatch(/intel \(pending\)/);

    // Outbox depth per destination.
    const intel = page.locator('#destinations li', { hasText: 'intel' });
    expect(await intel.textContent()).toContain('1 pending');
    expect(await intel.textContent()).toContain('retrying');
    expect(await page.locator('#destinations li', { hasText: 'log' }).textContent()).toContain('0 pending');

    // The last cycle.
    expect(await page.locator('#cycle').textContent()).toMatch(/feeds polled\s*2/);

    // Nothing a feed sent became markup or ran.
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('script').count()).toBe(0);
    expect(await page.evaluate('window.pwned')).toBeUndefined();
    expect(scriptErrors).toEqual([]);
    const hrefs = await page.locator('a').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
    for (const href of hrefs) expect(href).toMatch(/^https?:\/\//);

    // Fits a phone: no sideways scrolling.
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
    expect(await page.locator('meta[name="viewport"]').getAttribute('content')).toContain(
      'width=device-width',
    );

    mkdirSync(OUTPUT_DIR, { recursive: true });
    const file = join(OUTPUT_DIR.pathname, 'status-page.png');
    await page.screenshot({ path: file, fullPage: true });
    expect(existsSync(file)).toBe(true);
    await page.close();
  });
});
