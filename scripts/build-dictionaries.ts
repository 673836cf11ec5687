/**
 * Builds config/dictionaries/*.json from the upstream reference data described in
 * ../shared/data/README.md (MISP galaxy, MITRE ATT&CK, Microsoft mapping, CISA KEV, countries).
 *
 *   npx tsx scripts/build-dictionaries.ts                 # reads ../shared/data
 *   npx tsx scripts/build-dictionaries.ts --from DIR      # reads reduced copies from DIR
 *   npx tsx scripts/build-dictionaries.ts --download      # re-fetches the upstream sources
 *
 * Grouping choices (documented here because the sources disagree):
 * - MISP threat-actor entries are the base records. Where MISP folds several ATT&CK groups into one
 *   entry (Lazarus Group also lists APT38 and Andariel), the ATT&CK split wins: a synonym that is a
 *   name or alias of another ATT&CK group moves to that group's record.
 * - Every surface form belongs to exactly one record: the record whose canonical name equals it,
 *   else the ATT&CK group that lists it, else the first record that claimed it.
 * - Aliases that are ATT&CK software names (Snake, ShadowPad) are dropped: they name malware.
 * - State organs used as actors (MSS, GRU, PLA ...) come from curated.json and take their surface
 *   forms away from generated records (MISP lists "Bureau 121" under Lazarus Group).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import nlp from 'compromise';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = resolve(repoRoot, 'config/dictionaries');

/** Upstream sources re-fetched by --download (raw upstream formats, reduced below by `reduce*`). */
const UPSTREAM = {
  mispThreatActors: 'https://raw.githubusercontent.com/MISP/misp-galaxy/main/clusters/threat-actor.json',
  mispRansomware: 'https://raw.githubusercontent.com/MISP/misp-galaxy/main/clusters/ransomware.json',
  mispAgencies: 'https://raw.githubusercontent.com/MISP/misp-galaxy/main/clusters/intelligence-agencies.json',
  estimative:
    'https://raw.githubusercontent.com/MISP/misp-taxonomies/main/estimative-language/machinetag.json',
  attackEnterprise:
    'https://raw.githubusercontent.com/mitre/cti/master/enterprise-attack/enterprise-attack.json',
  microsoft:
    'https://raw.githubusercontent.com/microsoft/mstic/master/PublicFeeds/ThreatActorNaming/MicrosoftMapping.json',
  kev: 'https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json',
  countryCodes: 'https://raw.githubusercontent.com/datasets/country-codes/main/data/country-codes.csv',
} as const;

// ---------- input shapes (the reduced files in ../shared/data) ----------
interface MispActor {
  name: string;
  synonyms?: string[];
  country?: string;
  stateSponsor?: string;
  incidentType?: string[];
  motive?: string[];
  summary?: string;
  refCount?: number;
}
interface AttackGroup {
  id: string;
  name: string;
  aliases: string[];
  deprecated?: boolean;
  summary?: string;
}
interface AttackData {
  _meta: { copyright: string; licenseText?: string };
  groups: AttackGroup[];
  revokedGroups: { id: string; name: string; aliases: string[]; revokedByName: string }[];
  software: { name: string; aliases: string[] }[];
}
interface MsActor {
  name: string;
  origin: string[];
  category: string[];
  otherNames: string[];
}
interface KevVuln {
  cve: string;
  vendor: string;
  product: string;
  ransomware: string;
}
interface CountryRec {
  iso2: string;
  name: string;
  capital?: string;
  independent?: string;
  factbook?: { short?: string; demonymAdjective?: string[]; demonymNoun?: string[]; capital?: string };
  curated?: { aliases?: string[]; demonyms?: string[]; metonyms?: string[]; stateOrgans?: string[] };
  matchNames?: string[];
  matchDemonyms?: string[];
}
interface CountriesData {
  countries: CountryRec[];
  blocs: { id: string; name: string; aliases: string[]; members: string[] }[];
  agencies: { country: string; name: string; abbr: string[]; ambiguousAbbr?: string }[];
  ambiguousTerms: Record<string, { candidates: string[]; preferred: string | null }>;
}
interface Scheme {
  vendor: string;
  position: string;
  token: string;
  meaning: string;
  country?: string;
  strength: string;
}

// ---------- output shapes (config/dictionaries) ----------
export type ActorKind = 'state' | 'criminal' | 'unknown';
interface OutActor {
  name: string;
  aliases: string[];
  country: string | null;
  kind: ActorKind;
}

/** What to do when the reference data is not where the script looks (no ../shared beside the repository). */
const DATA_OPTIONS =
  'pass --from DIR with a folder of the reduced reference data (countries.json, attack-groups.json, threat-actors.misp.json, ...; ' +
  'see ../shared/data/README.md), or --download to re-fetch the upstream sources ' +
  '(it still copies the curated countries.json and vendor-naming-schemes.json from the --from folder)';

function readJson<T>(dir: string, file: string): T {
  let text: string;
  try {
    text = readFileSync(resolve(dir, file), 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code !== 'ENOENT') throw cause;
    throw new Error(`no ${file} in ${dir}: ${DATA_OPTIONS}`, { cause });
  }
  return JSON.parse(text) as T;
}

function key(s: string): string {
  return s
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\u2018\u2019`]/g, "'")
    .replace(/(\p{L})(?=\p{N})|(\p{N})(?=\p{L})/gu, '$1$2 ')
    .replace(/[^\p{L}\p{N}&$]+/gu, ' ')
    .trim();
}

function uniq(xs: Iterable<string>): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const x of xs) {
    const k = key(x);
    if (!k || seen.has(k)) continue;
    seen.add(k);
    out.push(x.trim());
  }
  return out;
}

/** Country ISO2 from free text such as "Korea (Democratic People's Republic of)" or a summary sentence. */
function makeCountryFinder(countries: CountryRec[]): (text: string) => string | null {
  const pairs: [RegExp, string][] = [];
  const add = (name: string, iso: string): void => {
    const esc = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    pairs.push([new RegExp(`(^|[^\\p{L}])${esc}($|[^\\p{L}])`, 'u'), iso]);
  };
  // Specific names before generic ones ("North Korean" before "Korean").
  add("Korea (Democratic People's Republic of)", 'KP');
  add('Korea (Republic of)', 'KR');
  add('North Korea', 'KP');
  add('South Korea', 'KR');
  add("People's Republic of China", 'CN');
  add('PRC', 'CN');
  for (const c of countries) {
    if (c.independent !== 'Yes' && c.iso2 !== 'TW' && c.iso2 !== 'PS') continue;
    for (const n of [...(c.matchNames ?? []), ...(c.matchDemonyms ?? []), c.name]) {
      if (n.length < 4 || /^(korean|koreans|chinese)$/i.test(n)) continue;
      add(n, c.iso2);
    }
  }
  add('Chinese', 'CN');
  return (text: string) => {
    for (const [re, iso] of pairs) if (re.test(text)) return iso;
    return null;
  };
}

const lexicon = (nlp.model() as { one: { lexicon: Record<string, unknown> } }).one.lexicon;

/** Single plain words that are ordinary English (or first names) need context in text. */
function isCommonWord(alias: string): boolean {
  const words = alias.trim().split(/\s+/);
  if (words.length !== 1) return false;
  const w = words[0] ?? '';
  if (/\d/.test(w) || /[a-z][A-Z]/.test(w)) return false;
  return lexicon[w.toLowerCase()] !== undefined;
}

function buildActors(
  dir: string,
  curatedNames: Set<string>,
  findCountry: (t: string) => string | null,
  countryIsoByMsName: (n: string) => string | null,
): { actors: OutActor[]; ransomware: string[] } {
  const misp = readJson<{ actors: MispActor[] }>(dir, 'threat-actors.misp.json').actors;
  const attack = readJson<AttackData>(dir, 'attack-groups.json');
  const ms = readJson<{ actors: MsActor[] }>(dir, 'microsoft-actor-names.json').actors;
  const ransomware = readJson<{ families: { name: string; synonyms?: string[] }[] }>(
    dir,
    'ransomware.misp.json',
  ).families;

  const software = new Set<string>();
  for (const s of attack.software) for (const n of [s.name, ...s.aliases]) software.add(key(n));

  interface Rec {
    name: string;
    aliases: Set<string>;
    country: string | null;
    kind: ActorKind;
    refs: number;
  }
  const recs: Rec[] = [];
  const owner = new Map<string, Rec>();
  /** ATT&CK group of each surface form. */
  const attackOf = new Map<string, string>();
  for (const g of attack.groups) {
    if (g.deprecated) continue;
    for (const n of [g.name, g.id, ...g.aliases]) attackOf.set(key(n), g.id);
  }

  function claim(rec: Rec, alias: string, force = false): void {
    const k = key(alias);
    if (!k || k.length < 3 || /^\d+$/.test(k)) return;
    if (curatedNames.has(k)) return;
    if (software.has(k) && k !== key(rec.name) && !attackOf.has(k)) return;
    const cur = owner.get(k);
    if (cur && cur !== rec && !force) return;
    if (cur && cur !== rec) cur.aliases.delete(alias);
    owner.set(k, rec);
    rec.aliases.add(alias);
  }

  function kindOf(a: MispActor): ActorKind {
    const text =
      `${(a.motive ?? []).join(' ')} ${(a.incidentType ?? []).join(' ')} ${a.summary ?? ''}`.toLowerCase();
    if (/state-sponsor|espionage|sabotage|nation[- ]state|military|intelligence/.test(text) || a.stateSponsor)
      return 'state';
    if (/crim|financ|ransom|extortion/.test(text)) return 'criminal';
    return a.country ? 'state' : 'unknown';
  }

  // 1. MISP base records; their own names first so that exact-name ownership wins.
  for (const a of misp) {
    const sponsor = a.stateSponsor && a.stateSponsor !== 'Unknown' ? findCountry(a.stateSponsor) : null;
    const rec: Rec = {
      name: a.name,
      aliases: new Set(),
      country: sponsor ?? a.country ?? null,
      kind: kindOf(a),
      refs: a.refCount ?? 0,
    };
    recs.push(rec);
    claim(rec, a.name, true);
  }
  // 2. Synonyms, except those that belong to another ATT&CK group than the record's own.
  for (const [i, a] of misp.entries()) {
    const rec = recs[i];
    if (!rec) continue;
    const own = attackOf.get(key(a.name));
    for (const s of a.synonyms ?? []) {
      const g = attackOf.get(key(s));
      if (g && own && g !== own) continue;
      if (g && !own && attackOf.get(key(s)) && misp.some((m) => key(m.name) === key(s))) continue;
      claim(rec, s);
    }
  }
  // 3. ATT&CK groups: join the record that owns the group's name, else a new record.
  for (const g of attack.groups) {
    if (g.deprecated) continue;
    const summaryCountry = g.summary ? findCountry(g.summary) : null;
    const crim = /criminal|financially motivated|ransomware/i.test(g.summary ?? '');
    let rec = owner.get(key(g.name)) ?? owner.get(key(g.id));
    if (!rec) {
      rec = {
        name: g.name,
        aliases: new Set(),
        country: crim ? null : summaryCountry,
        kind: crim ? 'criminal' : summaryCountry ? 'state' : 'unknown',
        refs: 0,
      };
      recs.push(rec);
      claim(rec, g.name, true);
    } else if (crim) {
      rec.kind = 'criminal';
    } else if (!rec.country && summaryCountry) {
      rec.country = summaryCountry;
      rec.kind = 'state';
    }
    for (const n of [g.id, ...g.aliases])
      claim(rec, n, attackOf.get(key(n)) === g.id && owner.get(key(n))?.name !== n);
  }
  for (const r of attack.revokedGroups) {
    const rec = owner.get(key(r.revokedByName));
    if (rec) for (const n of [r.name, ...r.aliases]) claim(rec, n);
  }
  // 4. Microsoft names.
  for (const m of ms) {
    const origin = m.origin.map(countryIsoByMsName).find((x): x is string => Boolean(x)) ?? null;
    const financial = m.category.some((c) => /financ/i.test(c));
    let rec = owner.get(key(m.name));
    if (!rec) {
      // Join the record owning most of the other names, else start a new one.
      const votes = new Map<Rec, number>();
      for (const n of m.otherNames) {
        const r = owner.get(key(n));
        if (r) votes.set(r, (votes.get(r) ?? 0) + 1);
      }
      rec = [...votes.entries()].sort((x, y) => y[1] - x[1])[0]?.[0];
      if (!rec) {
        rec = {
          name: m.name,
          aliases: new Set(),
          country: origin,
          kind: financial ? 'criminal' : origin ? 'state' : 'unknown',
          refs: 0,
        };
        recs.push(rec);
      }
      claim(rec, m.name, true);
    }
    if (!rec.country && origin) rec.country = origin;
    if (financial && !origin) rec.kind = 'criminal';
    for (const n of m.otherNames) claim(rec, n);
  }
  // 5. Ransomware families: names only ("X Ransomware" → "X"); matched after a ransomware cue.
  const ransom: string[] = [];
  for (const f of ransomware) {
    for (const n of [f.name, ...(f.synonyms ?? [])]) {
      const base = n
        .replace(/\s*\(.*?\)\s*/g, ' ')
        .replace(/\s+ransomware$/i, '')
        .trim();
      if (base.length >= 3 && !/\d{3,}/.test(base) && !curatedNames.has(key(base)) && !owner.has(key(base)))
        ransom.push(base);
    }
  }

  const msNames = new Set(ms.map((m) => m.name));
  const actors: OutActor[] = recs
    .filter((r) => r.aliases.size > 0)
    .map((r) => {
      // An id-like canonical name (DEV-0950) gives way to the Microsoft name of the same record.
      const better = /^(DEV|Storm)-\d+$/i.test(r.name)
        ? [...r.aliases].find((a) => msNames.has(a))
        : undefined;
      const names = uniq([better ?? r.name, r.name, ...r.aliases]);
      return { name: names[0] ?? r.name, aliases: names.slice(1), country: r.country, kind: r.kind };
    });
  return { actors, ransomware: uniq(ransom) };
}

/** KEV vendor/product strings are compound: "Connect Secure and Policy Secure". */
function splitProduct(product: string): string[] {
  const p = product.replace(/\s*\([^)]*\)/g, '').trim();
  if (/^multiple products$/i.test(p)) return [];
  const parts = p
    .split(/,\s*(?:and\s+)?|\s+and\s+|\s*\/\s*/)
    .map((x) => x.trim())
    .filter(Boolean);
  return parts.length > 1 && parts.some((x) => x.split(' ').length === 1 && /^[a-z]/.test(x)) ? [p] : parts;
}

/** Words that describe any product: an alias made only of them ("Server", "Data Center", "Remote Support") needs its vendor. */
const GENERIC_PRODUCT_WORDS = new Set(
  'server servers data center centre gateway gateways manager appliance appliances software desktop application applications firmware router routers multiple products product web ui plugin cloud service services system systems platform client agent console portal suite enterprise mobile core os vpn controller switches series access remote support management security edge network networks for and the of interface module modules component components hmi hmis plc plcs'.split(
    ' ',
  ),
);
function genericAlias(alias: string): boolean {
  return alias
    .toLowerCase()
    .split(/[\s-]+/)
    .every((w) => GENERIC_PRODUCT_WORDS.has(w));
}
/** A vendor whose only product bears its name ("SimpleHelp", "CrushFTP"): kept when the name is not an ordinary word. */
function distinctiveVendorProduct(name: string): boolean {
  return !isCommonWord(name) && !/^[A-Z][a-z]+$/.test(name) && !/^[A-Z]{2,4}$/.test(name) && name.length >= 4;
}
const BIG_VENDORS = new Set(['microsoft', 'apache', 'google', 'apple', 'oracle', 'cisco', 'ibm']);

function buildProducts(dir: string): {
  products: { name: string; vendor: string; aliases: string[] }[];
  kev: Record<string, [string, string, number]>;
} {
  const kev = readJson<{ vulnerabilities: KevVuln[] }>(dir, 'kev.json').vulnerabilities;
  const vendorRename: Record<string, string> = { 'Pulse Secure': 'Ivanti' };
  const byName = new Map<string, { name: string; vendor: string; aliases: Set<string> }>();
  const kevOut: Record<string, [string, string, number]> = {};
  for (const v of kev) {
    kevOut[v.cve] = [v.vendor, v.product, v.ransomware === 'Known' ? 1 : 0];
    const vendor = vendorRename[v.vendor] ?? v.vendor;
    for (const part of splitProduct(v.product)) {
      if (part.length < 3) continue;
      if (key(part) === key(vendor) && (BIG_VENDORS.has(key(vendor)) || !distinctiveVendorProduct(part)))
        continue;
      const full = key(part).startsWith(key(vendor)) ? part : `${vendor} ${part}`;
      const k = key(full);
      const rec = byName.get(k) ?? { name: full, vendor, aliases: new Set<string>() };
      if (!key(part).startsWith(key(vendor))) rec.aliases.add(part);
      byName.set(k, rec);
    }
  }
  const products = [...byName.values()].map((p) => ({
    name: p.name,
    vendor: p.vendor,
    aliases: [...p.aliases].filter((a) => (!isCommonWord(a) && !genericAlias(a)) || a === p.name),
  }));
  return { products, kev: kevOut };
}

function buildCountries(dir: string): unknown {
  const data = readJson<CountriesData>(dir, 'countries.json');
  const agencies = readJson<{ agencies: { name: string; country: string; synonyms?: string[] }[] }>(
    dir,
    'intelligence-agencies.misp.json',
  ).agencies;
  const countries = data.countries.map((c) => ({
    iso2: c.iso2,
    name: c.factbook?.short ?? c.name,
    names: uniq([c.name, ...(c.matchNames ?? [])]).filter((n) => n.length > 1),
    demonyms: uniq([...(c.matchDemonyms ?? []), ...(c.curated?.demonyms ?? [])]),
    metonyms: uniq([...(c.curated?.metonyms ?? []), ...(c.capital && c.curated ? [c.capital] : [])]),
    organs: uniq(c.curated?.stateOrgans ?? []),
    capital: c.capital ?? c.factbook?.capital ?? null,
  }));
  return {
    countries,
    ambiguous: data.ambiguousTerms,
    blocs: data.blocs.map((b) => ({
      id: b.id,
      name: b.name,
      aliases: b.aliases.filter((a) => a !== 'the Alliance'),
    })),
    agencies: data.agencies.map((a) => ({
      name: a.name,
      abbr: a.abbr,
      country: a.country,
      ...(a.ambiguousAbbr ? { ambiguous: true } : {}),
    })),
    // Intelligence services as government bodies that may attribute (MIVD, BND); Latin-script names only.
    intelligence: agencies
      .filter((a) => /^[A-Z]{2}$/.test(a.country))
      .map((a) => ({
        name: a.name.replace(/\s*\(.*\)$/, ''),
        aliases: (a.synonyms ?? []).filter((x) => /^[\p{Script=Latin}\s.'’&-]+$/u.test(x) && x.length > 2),
        country: a.country,
      })),
  };
}

/** Fetches one upstream source; a network failure ends the run with a clear message. */
async function fetchJson(name: string, url: string): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(60_000) });
  } catch (cause) {
    throw new Error(
      `--download: cannot fetch ${name} from ${url} (${cause instanceof Error ? cause.message : String(cause)}). ` +
        'Without network access, run with the local reduced copies instead: npx tsx scripts/build-dictionaries.ts --from ../shared/data',
      { cause },
    );
  }
  if (!res.ok) throw new Error(`--download: ${name}: ${url} answered HTTP ${res.status}`);
  return res.json() as Promise<unknown>;
}

type Json = Record<string, unknown>;
const arr = (x: unknown): Json[] => (Array.isArray(x) ? (x as Json[]) : []);
const strs = (x: unknown): string[] =>
  Array.isArray(x) ? x.filter((v): v is string => typeof v === 'string') : [];
const str = (x: unknown): string | undefined => (typeof x === 'string' ? x : undefined);
const firstSentence = (s: string | undefined): string =>
  (s ?? '')
    .replace(/\(Citation:[^)]*\)/g, '')
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
    .split(/(?<=\.)\s/)[0]
    ?.slice(0, 300) ?? '';

/**
 * Re-fetches the upstream sources (data/README.md) and reduces them to the shapes this script reads.
 * The hand-curated compilations (countries.json curated parts, vendor-naming-schemes.json) have no
 * upstream: they are copied from the local data folder.
 */
async function download(dir: string, localData: string): Promise<void> {
  const put = (file: string, data: unknown): void => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(resolve(dir, file), JSON.stringify(data));
  };

  const misp = (await fetchJson('mispThreatActors', UPSTREAM.mispThreatActors)) as Json;
  put('threat-actors.misp.json', {
    _meta: { source: UPSTREAM.mispThreatActors, license: 'CC0-1.0 OR BSD-2-Clause' },
    actors: arr(misp.values).map((v) => {
      const meta = (v.meta ?? {}) as Json;
      return {
        name: str(v.value) ?? '',
        synonyms: strs(meta.synonyms),
        country: str(meta.country),
        stateSponsor: str(meta['cfr-suspected-state-sponsor']),
        incidentType: strs(meta['cfr-type-of-incident']),
        motive: strs(meta.motive),
        summary: firstSentence(str(v.description)),
        refCount: strs(meta.refs).length,
      };
    }),
  });
  const ransom = (await fetchJson('mispRansomware', UPSTREAM.mispRansomware)) as Json;
  put('ransomware.misp.json', {
    _meta: { source: UPSTREAM.mispRansomware },
    families: arr(ransom.values).map((v) => ({
      name: str(v.value) ?? '',
      synonyms: strs(((v.meta ?? {}) as Json).synonyms),
    })),
  });
  const agencies = (await fetchJson('mispAgencies', UPSTREAM.mispAgencies)) as Json;
  put('intelligence-agencies.misp.json', {
    _meta: { source: UPSTREAM.mispAgencies },
    agencies: arr(agencies.values).map((v) => {
      const meta = (v.meta ?? {}) as Json;
      return { name: str(v.value) ?? '', country: str(meta.country) ?? '', synonyms: strs(meta.synonyms) };
    }),
  });
  const estimative = (await fetchJson('estimative', UPSTREAM.estimative)) as Json;
  put('estimative-language.misp.json', {
    _meta: { source: UPSTREAM.estimative },
    values: arr(estimative.values).flatMap((p) =>
      arr(p.entry).map((e) => ({
        predicate: str(p.predicate) ?? '',
        value: str(e.value) ?? '',
        numerical_value: Number(e.numerical_value ?? 0),
      })),
    ),
  });

  const bundle = (await fetchJson('attackEnterprise', UPSTREAM.attackEnterprise)) as Json;
  const objects = arr(bundle.objects);
  const attackId = (o: Json): string =>
    str(arr(o.external_references).find((r) => r.source_name === 'mitre-attack')?.external_id) ?? '';
  const sets = objects.filter((o) => o.type === 'intrusion-set');
  const byStix = new Map(sets.map((o) => [str(o.id) ?? '', o]));
  const revokedBy = new Map(
    objects
      .filter((o) => o.type === 'relationship' && o.relationship_type === 'revoked-by')
      .map((r) => [str(r.source_ref) ?? '', str(r.target_ref) ?? '']),
  );
  put('attack-groups.json', {
    _meta: {
      source: UPSTREAM.attackEnterprise,
      copyright: `© ${new Date().getUTCFullYear()} The MITRE Corporation. This work is reproduced and distributed with the permission of The MITRE Corporation.`,
    },
    groups: sets
      .filter((o) => !o.revoked)
      .map((o) => ({
        id: attackId(o),
        name: str(o.name) ?? '',
        aliases: strs(o.aliases).filter((a) => a !== o.name),
        deprecated: Boolean(o.x_mitre_deprecated),
        summary: firstSentence(str(o.description)),
      })),
    revokedGroups: sets
      .filter((o) => o.revoked)
      .map((o) => ({
        id: attackId(o),
        name: str(o.name) ?? '',
        aliases: strs(o.aliases),
        revokedByName: str(byStix.get(revokedBy.get(str(o.id) ?? '') ?? '')?.name) ?? '',
      })),
    software: objects
      .filter((o) => (o.type === 'malware' || o.type === 'tool') && !o.revoked)
      .map((o) => ({ name: str(o.name) ?? '', aliases: strs(o.x_mitre_aliases) })),
  });

  const msRaw = await fetchJson('microsoft', UPSTREAM.microsoft);
  const pick = (o: Json, re: RegExp): string => str(Object.entries(o).find(([k]) => re.test(k))?.[1]) ?? '';
  put('microsoft-actor-names.json', {
    _meta: {
      source: UPSTREAM.microsoft,
      license: 'CC-BY-4.0 (Microsoft Threat Intelligence, microsoft/mstic)',
    },
    actors: arr(msRaw).map((o) => {
      const origin = pick(o, /origin/i)
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean);
      return {
        name: pick(o, /new name|^name$/i),
        origin: origin.filter((x) => !/financ|influence|private sector|development|covert/i.test(x)),
        category: origin.filter((x) => /financ|influence|private sector|development|covert/i.test(x)),
        otherNames: pick(o, /other names|previous name/i)
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean),
      };
    }),
  });

  const kevRaw = (await fetchJson('kev', UPSTREAM.kev)) as Json;
  put('kev.json', {
    _meta: { source: UPSTREAM.kev, license: 'CC0-1.0' },
    vulnerabilities: arr(kevRaw.vulnerabilities).map((v) => ({
      cve: str(v.cveID) ?? '',
      vendor: str(v.vendorProject) ?? '',
      product: str(v.product) ?? '',
      ransomware: str(v.knownRansomwareCampaignUse) ?? 'Unknown',
    })),
  });

  // Curated compilations without an upstream of their own.
  for (const file of ['countries.json', 'vendor-naming-schemes.json']) {
    try {
      writeFileSync(resolve(dir, file), readFileSync(resolve(localData, file)));
    } catch (cause) {
      throw new Error(
        `--download: ${file} is a curated compilation with no upstream; expected a copy in ${localData} (pass --from DIR with a folder that has it)`,
        { cause },
      );
    }
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  let dir = resolve(repoRoot, '../shared/data');
  const fromIdx = args.indexOf('--from');
  if (fromIdx >= 0) {
    const v = args[fromIdx + 1];
    if (!v) throw new Error('--from needs a directory');
    dir = resolve(v);
  }
  if (!existsSync(dir))
    throw new Error(
      `no reference data folder at ${dir}${fromIdx >= 0 ? '' : ' (the default)'}: ${DATA_OPTIONS}`,
    );
  if (args.includes('--download')) {
    const cache = resolve(repoRoot, '.cache/upstream');
    await download(cache, dir);
    dir = cache;
  }

  const curated = JSON.parse(readFileSync(resolve(outDir, 'curated.json'), 'utf8')) as {
    actors: { name: string; aliases?: string[] }[];
  };
  const curatedNames = new Set<string>();
  for (const a of curated.actors) for (const n of [a.name, ...(a.aliases ?? [])]) curatedNames.add(key(n));

  const countriesData = readJson<CountriesData>(dir, 'countries.json');
  const findCountry = makeCountryFinder(countriesData.countries);
  const msName = (n: string): string | null =>
    n === 'Korea' ? 'KR' : n === 'Türkiye' ? 'TR' : findCountry(n);

  const { actors, ransomware } = buildActors(dir, curatedNames, findCountry, msName);
  const { products, kev } = buildProducts(dir);
  const schemes = readJson<{ schemes: Scheme[] }>(dir, 'vendor-naming-schemes.json').schemes;
  const estimative = readJson<{ values: { predicate: string; value: string; numerical_value: number }[] }>(
    dir,
    'estimative-language.misp.json',
  ).values;
  const attackMeta = readJson<AttackData>(dir, 'attack-groups.json')._meta;

  const ambiguous = new Set<string>();
  for (const a of actors) for (const n of [a.name, ...a.aliases]) if (isCommonWord(n)) ambiguous.add(n);

  mkdirSync(outDir, { recursive: true });
  const write = (file: string, data: unknown): void =>
    writeFileSync(resolve(outDir, file), `${JSON.stringify(data)}\n`);
  write('actors.json', {
    _meta: {
      sources:
        'MISP galaxy threat-actor + ransomware (CC0-1.0 OR BSD-2-Clause); MITRE ATT&CK groups; Microsoft Threat Intelligence (microsoft/mstic), CC-BY-4.0',
      copyright: attackMeta.copyright,
    },
    actors,
    ransomware,
    commonWords: [...ambiguous].sort(),
  });
  write('products.json', {
    _meta: { source: 'CISA Known Exploited Vulnerabilities catalog (CC0-1.0)' },
    products,
  });
  write('kev.json', {
    _meta: {
      source: 'CISA Known Exploited Vulnerabilities catalog (CC0-1.0)',
      fields: ['vendor', 'product', 'ransomwareKnown'],
    },
    cves: kev,
  });
  write('countries.json', {
    _meta: {
      source:
        'datasets/country-codes (PDDL), CIA World Factbook (public domain), MISP intelligence-agencies (CC0/BSD-2), curated (CC0)',
    },
    ...(buildCountries(dir) as object),
  });
  write('schemes.json', {
    _meta: {
      source: 'vendor-naming-schemes.json (CC0-1.0 compilation); MISP estimative-language (CC0/BSD-2)',
    },
    schemes: schemes.map((s) => ({
      vendor: s.vendor,
      position: s.position,
      token: s.token,
      country: s.country ?? null,
      strength: s.strength,
    })),
    estimative: estimative.map((e) => ({
      term: e.value.replace(/-/g, ' '),
      kind: e.predicate,
      value: e.numerical_value,
    })),
  });
  console.error(
    `dictionaries: ${actors.length} actors, ${ransomware.length} ransomware names, ${products.length} products, ${Object.keys(kev).length} KEV CVEs → ${outDir}`,
  );
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
