/** Analysis → text for a person: what matched where, each claim with its parts, hedges, confidence, the alert. */
import type { Analysis, MentionView } from './analyze.js';

function quote(s: string, max = 220): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return `"${t.length > max ? `${t.slice(0, max - 3)}...` : t}"`;
}

function where(m: { sentence: number; start: number; end: number; inTitle: boolean }): string {
  return m.inTitle ? `title ${m.start}-${m.end}` : `s${m.sentence} @${m.start}-${m.end}`;
}

const LABELS: Record<MentionView['type'], string> = {
  actor: 'actors',
  scheme: 'new names (vendor naming schemes)',
  country: 'countries',
  party: 'parties',
  product: 'products',
  cve: 'CVEs',
};

function entityLines(mentions: MentionView[]): string[] {
  const order: MentionView['type'][] = ['actor', 'scheme', 'country', 'party', 'product', 'cve'];
  const lines: string[] = [];
  for (const type of order) {
    const ms = mentions.filter((m) => m.type === type);
    if (ms.length === 0) continue;
    const byName = new Map<string, MentionView[]>();
    for (const m of ms) byName.set(m.name, [...(byName.get(m.name) ?? []), m]);
    lines.push(`  ${LABELS[type]}:`);
    for (const [name, list] of byName) {
      const surfaces = [...new Set(list.map((m) => m.surface))].filter((x) => x !== name);
      const note = list[0]?.note ? ` (${list[0].note})` : '';
      lines.push(
        `    ${name}${surfaces.length ? ` as ${surfaces.map((x) => `"${x}"`).join(', ')}` : ''}${note} — ${list.map(where).join(', ')}`,
      );
    }
  }
  return lines;
}

export function renderExplanation(analysis: Analysis): string {
  const a = analysis.attribution;
  const out: string[] = [];
  out.push(
    `Article ${a.id} — ${analysis.sentences.length} sentences${analysis.sentences[0]?.isTitle ? ' (sentence 0 is the title)' : ''}`,
  );
  out.push('');
  out.push('Entities (where they matched):');
  const ent = entityLines(analysis.mentions);
  out.push(...(ent.length ? ent : ['  none']));
  out.push('');

  out.push('Claims:');
  if (analysis.claims.length === 0) out.push('  none');
  analysis.claims.forEach((c, i) => {
    const sentence = analysis.sentences[c.sentence];
    const status = c.negated
      ? 'NEGATED'
      : c.conditional
        ? 'CONDITIONAL'
        : c.selfClaim
          ? 'SELF-CLAIM'
          : c.supporting
            ? 'SUPPORTING'
            : 'live';
    const who = c.attributors.length
      ? c.attributors.map((p) => `${p.name}${p.body !== p.name ? ` [${p.body}]` : ''} (${p.role})`).join(', ')
      : c.selfClaim
        ? 'the actor itself'
        : 'not stated';
    const blamed = [
      ...c.actors.map(analysis.actorName),
      ...c.schemeNames,
      ...c.countries.map(analysis.countryName),
    ];
    const inSentence = analysis.mentions.filter((m) => m.sentence === c.sentence);
    const targets = [
      ...new Set([
        ...inSentence.filter((m) => m.type === 'product').map((m) => m.name),
        ...inSentence
          .filter(
            (m) =>
              m.type === 'country' &&
              !c.countries.some((iso) => analysis.countryName(iso) === m.name) &&
              !c.attributors.some((p) => p.name === m.name),
          )
          .map((m) => m.name),
      ]),
    ];
    out.push(
      `  #${i + 1} ${sentence?.isTitle ? 'title' : `sentence ${c.sentence}`} [${c.family}, ${status}] cue: ${quote(c.cue, 90)}`,
    );
    out.push(
      `     ${who} → ${blamed.length ? blamed.join(', ') : '(no state or actor)'} → ${targets.length ? targets.join(', ') : '(target not named)'}`,
    );
    if (c.hedges.length) out.push(`     hedged: ${c.hedges.join(', ')}`);
    out.push(`     evidence: ${quote(sentence?.text ?? '')}`);
  });
  out.push('');

  out.push('Hedges, retractions and denials:');
  if (analysis.hedges.length === 0) out.push('  none');
  for (const h of analysis.hedges) out.push(`  s${h.sentence}: ${quote(h.cue, 80)} — ${h.effect}`);
  out.push('');

  out.push(`Confidence: ${a.confidence.toFixed(2)} — ${a.confidence_reason}`);
  for (const r of analysis.confidenceReasons) out.push(`  - ${r}`);
  out.push('');

  out.push('Alert:');
  if (!a.is_attribution) {
    out.push(`  (no alert: not an attribution story — ${a.confidence_reason})`);
    if (a.actors.length || a.attributed_countries.length || a.products.length || a.cves.length) {
      out.push(
        `  extracted anyway: actors ${a.actors.map((x) => x.name).join(', ') || '-'} · countries ${a.attributed_countries.join(', ') || '-'} · products ${a.products.join(', ') || '-'} · CVEs ${a.cves.join(', ') || '-'}`,
      );
    }
    return out.join('\n');
  }
  const stateActors = a.actors.filter((x) => x.stated);
  const head = `${a.attributed_countries.join(', ')}${stateActors.length ? ` (${stateActors.map((x) => x.name).join(', ')})` : ''} blamed${a.products.length ? ` for ${a.products.join(', ')} compromise` : ''}`;
  out.push(`  **${head}**`);
  out.push(`  Attributed by: ${a.attributing_parties.join(', ') || 'not stated'}`);
  const actorLine = a.actors.map(
    (x) =>
      `${x.name}${x.aliases.length ? ` (${x.aliases.slice(0, 3).join(', ')})` : ''}${x.country ? `, ${x.country}${x.stated ? '' : ' per reference data'}` : ''}`,
  );
  out.push(
    `  Actor: ${actorLine.join('; ') || '-'} · Country: ${a.attributed_countries.join(', ')} · Products: ${a.products.join(', ') || '-'}${a.cves.length ? ` · CVEs: ${a.cves.join(', ')}` : ''}`,
  );
  for (const d of a.cve_details ?? [])
    out.push(`  KEV: ${d.cve} ${d.vendor} ${d.product}${d.ransomware ? ' (known ransomware use)' : ''}`);
  if (a.evidence[0]) out.push(`  Evidence: ${quote(a.evidence[0])}`);
  if (a.denials?.length) out.push(`  Denied: ${a.denials.join('; ')}`);
  out.push(
    `  Confidence: ${a.confidence >= 0.8 ? 'high' : a.confidence >= 0.6 ? 'medium' : 'low'} (${a.confidence_reason})`,
  );
  return out.join('\n');
}
