/**
 * Alert → Discord message (and the same content as plain text for the console). Pure.
 *
 * Every article-derived string goes through one path: strip invisible and control characters →
 * escape markdown → neutralise mentions and links → measure → cut at a word boundary. Lengths are
 * measured in UTF-16 units, which is never less than Discord's own count, so the limits hold.
 */
import type { AttributedActor, Attribution } from '../attribution/attribution.js';
import type { Embed, EmbedField, OutgoingMessage } from '../shared/message.js';
import type { Alert } from './alert.js';
import type { Story, StoryReport } from './cluster.js';
import {
  cleanText,
  ELLIPSIS,
  fitItems,
  fitText,
  linkTarget,
  markdownSafe,
  type Render,
  safeUrl,
} from './text-safety.js';

export const DISCORD_LIMITS = {
  title: 256,
  description: 4096,
  fieldName: 256,
  fieldValue: 1024,
  fields: 25,
  footerText: 2048,
  embeds: 10,
  total: 6000,
  content: 2000,
} as const;

/** Budgets of our one embed; their sum stays under DISCORD_LIMITS.total with room for field names. */
const BUDGET = {
  title: 256,
  summary: 400,
  description: 1800,
  quote: 700,
  actors: 700,
  list: 450,
  cves: 650,
  confidence: 300,
  source: 450,
  denials: 400,
  name: 120,
  item: 160,
} as const satisfies Record<string, number>;

const MAX_QUOTES = 3;
const MAX_ALIASES = 4;

const COUNTRY_COLOURS = new Map<string, number>([
  ['china', 0xc0392b],
  ['russia', 0x2e86c1],
  ['iran', 0x27ae60],
  ['north korea', 0x8e44ad],
]);
const DEFAULT_COLOUR = 0x95a5a6;

/* ---------- one description of the alert, two renderings ---------- */

interface Style {
  text: Render;
  bold(rendered: string): string;
  link(rendered: string, href: string): string;
}

const DISCORD_STYLE: Style = {
  text: markdownSafe,
  bold: (rendered) => `**${rendered}**`,
  link: (rendered, href) => `[${rendered}](${linkTarget(href) ?? href})`,
};

type Item = (style: Style) => string;

interface FieldPart {
  name: string;
  items: Item[];
  separator: string;
  budget: number;
}

interface AlertParts {
  title: string;
  url: string | undefined;
  summary: string;
  quotes: string[];
  fields: FieldPart[];
  color: number;
  timestamp: string | undefined;
}

function uniqueClean(values: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const value of values) {
    const clean = cleanText(value);
    const key = clean.toLowerCase();
    if (clean && !seen.has(key)) {
      seen.add(key);
      out.push(clean);
    }
  }
  return out;
}

function joinAnd(values: readonly string[]): string {
  if (values.length <= 1) return values.join('');
  return `${values.slice(0, -1).join(', ')} and ${values.at(-1)}`;
}

/** "A", "A and B", "A, B and 3 more <nouns>"; each name clipped so one cannot fill a title. */
function shortList(values: readonly string[], shown: number, nouns: readonly [string, string]): string {
  const clipped = values.map((value) => fitText(value, 80, (text) => text));
  if (clipped.length <= shown) return joinAnd(clipped);
  const rest = clipped.length - shown;
  return joinAnd([...clipped.slice(0, shown), `${rest} more ${rest === 1 ? nouns[0] : nouns[1]}`]);
}

interface CleanActor {
  name: string;
  aliases: string[];
  country: string;
  stated: boolean;
}

function cleanActors(actors: readonly AttributedActor[]): CleanActor[] {
  return actors
    .map((actor) => ({
      name: cleanText(actor.name),
      aliases: uniqueClean(actor.aliases).filter(
        (alias) => alias.toLowerCase() !== cleanText(actor.name).toLowerCase(),
      ),
      country: cleanText(actor.country),
      stated: actor.stated,
    }))
    .filter((actor) => actor.name.length > 0);
}

/** "China (Ministry of State Security)", "Russia (APT28) and Iran", "LockBit", or null. */
function subjectOf(countries: readonly string[], actors: readonly CleanActor[]): string | null {
  const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();
  if (countries.length > 0) {
    const groups = countries.slice(0, 3).map((name) => {
      const country = fitText(name, 80, (text) => text);
      const tied = actors.filter(
        (actor) => same(actor.country, name) || (countries.length === 1 && !actor.country),
      );
      // Actors the text itself ties to the country speak for it; reference data only when nothing else does.
      const stated = tied.filter((actor) => actor.stated);
      const names = (stated.length > 0 ? stated : tied).map((actor) => actor.name);
      return names.length > 0 ? `${country} (${shortList(names, 2, ['group', 'groups'])})` : country;
    });
    if (countries.length > 3)
      groups.push(countries.length === 4 ? '1 more country' : `${countries.length - 3} more countries`);
    return joinAnd(groups);
  }
  if (actors.length > 0)
    return shortList(
      actors.map((actor) => actor.name),
      3,
      ['group', 'groups'],
    );
  return null;
}

/** "Microsoft Exchange Server compromise", "exploitation of CVE-…", or null. */
function targetOf(products: readonly string[], cves: readonly string[]): string | null {
  if (products.length > 0 && products.length <= 2)
    return `${shortList(products, 2, ['product', 'products'])} compromise`;
  if (products.length > 2) return `compromise of ${shortList(products, 2, ['product', 'products'])}`;
  if (cves.length > 0) return `exploitation of ${shortList(cves, 2, ['CVE', 'CVEs'])}`;
  return null;
}

function summaryOf(parties: readonly string[], subject: string | null, target: string | null): string {
  if (!subject) return 'No attribution claim found in this article.';
  const what = `the ${target ?? 'activity'}`;
  if (parties.length === 0)
    return `${what.charAt(0).toUpperCase()}${what.slice(1)} is attributed to ${subject}.`;
  const who =
    parties.length <= 2 ? joinAnd(parties) : `${parties.slice(0, 2).join(', ')} +${parties.length - 2}`;
  return `${who} ${parties.length === 1 && !pluralParty(parties[0] ?? '') ? 'attributes' : 'attribute'} ${what} to ${subject}.`;
}

/** "unnamed sources", "security researchers": a party named by a plural common noun takes a plural verb ("United States" does not). */
function pluralParty(party: string): boolean {
  return /^[a-z][\w\s-]*s$/.test(party);
}

function confidenceText(attribution: Attribution): string {
  const value = attribution.confidence;
  const reason = cleanText(attribution.confidence_reason);
  if (!Number.isFinite(value)) return reason ? `unknown — ${reason}` : 'unknown';
  const clamped = Math.min(1, Math.max(0, value));
  const level = clamped >= 0.8 ? 'high' : clamped >= 0.5 ? 'medium' : 'low';
  const head = `${level} (${Math.round(clamped * 100)}%)`;
  return reason ? `${head} — ${reason}` : head;
}

interface PublishedDate {
  display: string;
  timestamp: string | undefined;
}

function publishedOf(value: string | undefined): PublishedDate | undefined {
  const clean = cleanText(value);
  if (!clean) return undefined;
  // A partial date ("2021", "2021-07") is shown as given, never widened to a precise instant.
  if (/^\d{4}(-\d{2})?$/.test(clean)) return { display: clean, timestamp: undefined };
  const ms = Date.parse(clean);
  const year = new Date(ms).getUTCFullYear();
  if (Number.isNaN(ms) || year < 1971 || year > 2999) return { display: clean, timestamp: undefined };
  const iso = new Date(ms).toISOString();
  return { display: iso.slice(0, 10), timestamp: iso };
}

const CVE_ID = /^CVE-\d{4}-\d{4,}$/i;

function cveItem(cve: string, attribution: Attribution): Item {
  const detail = attribution.cve_details?.find((entry) => entry.cve.toUpperCase() === cve.toUpperCase());
  const marks = [detail?.knownExploited ? 'KEV' : '', detail?.ransomware ? 'ransomware' : ''].filter(Boolean);
  const suffix = marks.length > 0 ? ` (${marks.join(', ')})` : '';
  return (style) => {
    if (!CVE_ID.test(cve)) return fitText(cve, BUDGET.name, style.text) + suffix;
    const id = cve.toUpperCase();
    return style.link(style.text(id), `https://www.cve.org/CVERecord?id=${id}`) + suffix;
  };
}

function actorItem(actor: CleanActor): Item {
  return (style) => {
    let line = style.bold(fitText(actor.name, BUDGET.name, style.text));
    if (actor.aliases.length > 0) {
      const shown = actor.aliases.slice(0, MAX_ALIASES).map((alias) => fitText(alias, 60, style.text));
      const more = actor.aliases.length > MAX_ALIASES ? ` +${actor.aliases.length - MAX_ALIASES}` : '';
      line += ` (${shown.join(', ')}${more})`;
    }
    if (actor.country) {
      line += ` · ${fitText(actor.country, 60, style.text)}${actor.stated ? '' : ' (reference data)'}`;
    }
    return line;
  };
}

function textItem(clean: string, max: number = BUDGET.item): Item {
  return (style) => fitText(clean, max, style.text);
}

function quoteItem(clean: string): Item {
  return (style) => `> “${fitText(clean, BUDGET.quote, style.text)}”`;
}

function describe(alert: Alert): AlertParts {
  const { attribution } = alert;
  const countries = uniqueClean(attribution.attributed_countries);
  const actors = cleanActors(attribution.actors);
  const parties = uniqueClean(attribution.attributing_parties);
  const products = uniqueClean(attribution.products);
  const cves = uniqueClean(attribution.cves);
  const articleTitle = cleanText(alert.articleTitle);

  const subject = subjectOf(countries, actors);
  const target = targetOf(products, cves);
  const title = subject
    ? `${subject} blamed for ${target ?? 'malicious cyber activity'}`
    : articleTitle || 'Untitled article';

  const published = publishedOf(alert.published);
  const sourceLine = [cleanText(alert.sourceName) || 'unknown source', published?.display]
    .filter(Boolean)
    .join(' · ');
  const others = uniqueClean((alert.otherSources ?? []).map((source) => source.name));
  const sourceItems: Item[] = [textItem(sourceLine)];
  if (articleTitle && subject) sourceItems.push((style) => `“${fitText(articleTitle, 200, style.text)}”`);
  if (others.length > 0) {
    sourceItems.push(
      (style) =>
        `+${others.length} more outlets: ${fitItems(
          others.map((name) => fitText(name, 60, style.text)),
          ', ',
          200,
        )}`,
    );
  }

  const fields: FieldPart[] = [
    {
      name: actors.length > 1 ? 'Actors' : 'Actor',
      items: actors.map(actorItem),
      separator: '\n',
      budget: BUDGET.actors,
    },
    {
      name: 'Attributed by',
      items: parties.map((party) => textItem(party)),
      separator: ', ',
      budget: BUDGET.list,
    },
    {
      name: 'Products',
      items: products.map((product) => textItem(product)),
      separator: ', ',
      budget: BUDGET.list,
    },
    {
      name: 'CVEs',
      items: cves.map((cve) => cveItem(cve, attribution)),
      separator: ', ',
      budget: BUDGET.cves,
    },
    {
      name: 'Confidence',
      items: [textItem(confidenceText(attribution), BUDGET.confidence)],
      separator: '\n',
      budget: BUDGET.confidence,
    },
    { name: 'Source', items: sourceItems, separator: '\n', budget: BUDGET.source },
    {
      name: 'Denied',
      // Denials are the extractor's summaries ("Russia denied"), not quotations.
      items: uniqueClean(attribution.denials ?? []).map((denial) => textItem(denial)),
      separator: '\n',
      budget: BUDGET.denials,
    },
  ];

  return {
    title,
    url: safeUrl(alert.articleUrl),
    summary: summaryOf(parties, subject, target),
    quotes: uniqueClean(attribution.evidence),
    fields,
    color: COUNTRY_COLOURS.get(countries[0]?.toLowerCase() ?? '') ?? DEFAULT_COLOUR,
    timestamp: published?.timestamp,
  };
}

function renderDescription(parts: AlertParts, style: Style): string {
  const summary = fitText(parts.summary, BUDGET.summary, style.text);
  if (parts.quotes.length === 0) return summary;
  const quotes = parts.quotes.slice(0, MAX_QUOTES).map((quote) => quoteItem(quote)(style));
  if (parts.quotes.length > MAX_QUOTES) quotes.push(`+${parts.quotes.length - MAX_QUOTES} more quotes`);
  const room = BUDGET.description - summary.length - 2;
  return `${summary}\n\n${fitItems(quotes, '\n', room)}`;
}

function renderFields(parts: AlertParts, style: Style): EmbedField[] {
  const fields: EmbedField[] = [];
  for (const part of parts.fields) {
    const value = fitItems(
      part.items.map((item) => item(style)),
      part.separator,
      Math.min(part.budget, DISCORD_LIMITS.fieldValue),
    );
    if (value.length === 0) continue;
    fields.push({ name: part.name, value });
  }
  return fields.slice(0, DISCORD_LIMITS.fields);
}

/** Characters Discord counts towards the 6000 limit of one message. */
export function embedLength(embed: Embed): number {
  let total =
    (embed.title?.length ?? 0) + (embed.description?.length ?? 0) + (embed.footer?.text.length ?? 0);
  for (const field of embed.fields ?? []) total += field.name.length + field.value.length;
  return total;
}

export function formatAlert(alert: Alert): OutgoingMessage {
  const parts = describe(alert);
  const embed: Embed = {
    title: fitText(parts.title, DISCORD_LIMITS.title, DISCORD_STYLE.text) || 'Untitled article',
    description: renderDescription(parts, DISCORD_STYLE),
    color: parts.color,
    fields: renderFields(parts, DISCORD_STYLE),
  };
  if (parts.url) embed.url = parts.url;
  if (parts.timestamp) embed.timestamp = parts.timestamp;
  // The budgets keep us under the total; this only guards a future budget change.
  const excess = embedLength(embed) - DISCORD_LIMITS.total;
  if (excess > 0 && embed.description) {
    embed.description = `${embed.description.slice(0, Math.max(0, embed.description.length - excess - 1))}${ELLIPSIS}`;
  }
  return { embeds: [embed], allowed_mentions: { parse: [] } };
}

/**
 * A new message announcing that a known story gained a claim (a new actor or country): the merged
 * story as it now stands, introduced by a line naming the new report and linking the first one.
 */
export function formatUpdate(story: Story, report: StoryReport): OutgoingMessage {
  const message = formatAlert({
    attribution: story.attribution,
    articleTitle: report.title,
    sourceName: report.sourceName,
    ...(report.url ? { articleUrl: report.url } : {}),
    ...(report.published ? { published: report.published } : {}),
  });
  const source = fitText(cleanText(report.sourceName), 100, markdownSafe);
  const firstTitle = fitText(cleanText(story.first.title) || 'the earlier alert', 200, markdownSafe);
  // A very long URL would crowd out the line (and a cut link is worse than none).
  const firstUrl = (story.first.url?.length ?? 0) <= 500 ? linkTarget(story.first.url) : undefined;
  const first = firstUrl ? `[${firstTitle}](<${firstUrl}>)` : firstTitle;
  return {
    ...message,
    content: fitText(`Update from ${source} to ${first}`, DISCORD_LIMITS.content, (text) => text),
  };
}
