/** CVE ids in every form seen in news: any dash (hyphen, en/em dash, minus), spaces, lower case. */
const CVE_RE =
  /\bcve[\s\u2010-\u2015\u2212-]{1,3}(?<year>(?:19|20)\d{2})[\s\u2010-\u2015\u2212-]{1,3}(?<seq>\d{4,7})\b/giu;

export interface CveMention {
  id: string;
  start: number;
  end: number;
}

/** Only c, v and e fold to "cve" under /iu too: a text without these letters in a row has no CVE id. */
const CVE_WORD_RE = /cve/i;

export function findCves(text: string): CveMention[] {
  const out: CveMention[] = [];
  if (!CVE_WORD_RE.test(text)) return out;
  for (const m of text.matchAll(CVE_RE)) {
    const year = m.groups?.year;
    const seq = m.groups?.seq;
    if (!year || !seq) continue;
    out.push({ id: `CVE-${year}-${seq}`, start: m.index, end: m.index + m[0].length });
  }
  return out;
}

/** Distinct ids in order of first appearance. */
export function uniqueCves(mentions: readonly CveMention[]): string[] {
  return [...new Set(mentions.map((m) => m.id))];
}
