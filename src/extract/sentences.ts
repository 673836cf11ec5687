/** Sentence splitting without a full NLP pass: paragraphs, then terminal punctuation not after an abbreviation. */
export interface Sentence {
  index: number;
  start: number;
  end: number;
  text: string;
  /** The title is sentence 0 when present. */
  isTitle: boolean;
}

const ABBREVIATIONS = new Set(
  'mr mrs ms dr st jr sr prof gen sen rep gov lt col capt sgt inc co corp ltd llc no vs etc jan feb mar apr jun jul aug sep sept oct nov dec mt ft pa fla calif mass al approx est dept univ'.split(
    ' ',
  ),
);
const BOUNDARY_RE = /([.!?])(["”’')\]]*)(\s+)(?=["“‘'([]?[\p{Lu}\p{N}])/gu;

function isAbbreviation(text: string, dotIndex: number): boolean {
  let i = dotIndex - 1;
  while (i >= 0 && /[\p{L}.]/u.test(text[i] ?? '')) i--;
  const word = text.slice(i + 1, dotIndex);
  if (word.length === 0) return false;
  // Initials and dotted acronyms: "M.", "U.S.", "U.K.", "e.g."
  if (/^\p{L}$/u.test(word) || /^(\p{L}\.)+\p{L}$/u.test(word)) return true;
  return ABBREVIATIONS.has(word.toLowerCase());
}

export function splitSentences(text: string, offset = 0, firstIndex = 0): Sentence[] {
  const out: Sentence[] = [];
  const push = (start: number, end: number): void => {
    const raw = text.slice(start, end);
    const lead = raw.length - raw.trimStart().length;
    const body = raw.trim();
    if (body.length === 0) return;
    out.push({
      index: firstIndex + out.length,
      start: offset + start + lead,
      end: offset + start + lead + body.length,
      text: body,
      isTitle: false,
    });
  };
  let paraStart = 0;
  const paragraphs = text.split(/\n/);
  for (const para of paragraphs) {
    let last = 0;
    for (const m of para.matchAll(BOUNDARY_RE)) {
      const dot = m.index;
      if (m[1] === '.' && isAbbreviation(para, dot)) continue;
      const cut = dot + (m[1]?.length ?? 1) + (m[2]?.length ?? 0);
      push(paraStart + last, paraStart + cut);
      last = cut + (m[3]?.length ?? 0);
    }
    push(paraStart + last, paraStart + para.length);
    paraStart += para.length + 1;
  }
  return out;
}
