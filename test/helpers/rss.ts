/** A small RSS 2.0 document of news items published an hour before `now`, linked under https://desk.example/. */
export interface DeskItem {
  slug: string;
  title: string;
  body: string;
}

export function deskFeed(now: number, items: readonly DeskItem[]): string {
  const item = ({ slug, title, body }: DeskItem) => `
    <item><title>${title}</title><link>https://desk.example/${slug}</link>
      <pubDate>${new Date(now - 3_600_000).toUTCString()}</pubDate><description>${body}</description></item>`;
  return `<?xml version="1.0"?><rss version="2.0"><channel><title>Desk</title><link>https://desk.example/</link>
  ${items.map(item).join('\n')}
  </channel></rss>`;
}
