/**
 * A summary's chart as SVG: horizontal bars of stories per attributed country and per actor. Pure
 * (the PNG is rendered from it at the edge). Fixed size per bar, fixed fonts, at most MAX_BARS bars
 * per panel (the rest summed as "Other"), every label XML-escaped and clipped: feed text never
 * reaches the markup as markup.
 */

import { type Tally, withOther } from './summary.js';
import { cleanText } from './text-safety.js';

export const CHART = {
  width: 800,
  maxBars: 8,
  barHeight: 22,
  barGap: 8,
  labelWidth: 230,
  labelChars: 30,
  /** Fonts resvg finds on Debian (fonts-dejavu-core, which the Docker image installs) and elsewhere. */
  fontFamily: 'DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif',
} as const;

const COLOURS = { country: '#c0392b', actor: '#2e86c1', other: '#95a5a6', text: '#23272a', muted: '#5c6370' };

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

function clip(text: string, max: number): string {
  const chars = Array.from(cleanText(text));
  return chars.length <= max ? chars.join('') : `${chars.slice(0, max - 1).join('')}…`;
}

export interface ChartInput {
  title: string;
  subtitle: string;
  countries: readonly Tally[];
  actors: readonly Tally[];
}

interface Panel {
  heading: string;
  tallies: Array<Tally & { other?: number }>;
  colour: string;
}

function panelHeight(panel: Panel): number {
  const bars = Math.max(1, panel.tallies.length);
  return 34 + bars * (CHART.barHeight + CHART.barGap) + 12;
}

function panelSvg(panel: Panel, top: number): string {
  const parts: string[] = [
    `<text x="24" y="${top + 20}" font-size="16" font-weight="bold" fill="${COLOURS.text}">${escapeXml(panel.heading)}</text>`,
  ];
  const barsTop = top + 34;
  if (panel.tallies.length === 0) {
    parts.push(
      `<text x="24" y="${barsTop + 16}" font-size="14" fill="${COLOURS.muted}">none in this period</text>`,
    );
    return parts.join('');
  }
  const max = Math.max(...panel.tallies.map((entry) => entry.count));
  const barX = CHART.labelWidth + 16;
  const barSpace = CHART.width - barX - 64;
  panel.tallies.forEach((entry, index) => {
    const y = barsTop + index * (CHART.barHeight + CHART.barGap);
    const width = Math.max(2, Math.round((entry.count / max) * barSpace));
    const colour = entry.other === undefined ? panel.colour : COLOURS.other;
    const mid = y + CHART.barHeight / 2 + 5;
    parts.push(
      `<text x="${CHART.labelWidth}" y="${mid}" font-size="14" text-anchor="end" fill="${COLOURS.text}">${escapeXml(clip(entry.name, CHART.labelChars))}</text>`,
      `<rect x="${barX}" y="${y}" width="${width}" height="${CHART.barHeight}" rx="3" fill="${colour}"/>`,
      `<text x="${barX + width + 8}" y="${mid}" font-size="14" fill="${COLOURS.text}">${entry.count}</text>`,
    );
  });
  return parts.join('');
}

/** The chart's SVG document (width CHART.width; height grows with the bars, bounded by MAX_BARS). */
export function renderSummaryChart(input: ChartInput): string {
  const panels: Panel[] = [
    {
      heading: 'Stories by attributed country',
      tallies: withOther(input.countries, CHART.maxBars),
      colour: COLOURS.country,
    },
    { heading: 'Stories by actor', tallies: withOther(input.actors, CHART.maxBars), colour: COLOURS.actor },
  ];
  const header = 70;
  let top = header;
  const bodies: string[] = [];
  for (const panel of panels) {
    bodies.push(panelSvg(panel, top));
    top += panelHeight(panel);
  }
  const height = top + 8;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${CHART.width}" height="${height}" viewBox="0 0 ${CHART.width} ${height}" font-family="${CHART.fontFamily}">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="24" y="32" font-size="20" font-weight="bold" fill="${COLOURS.text}">${escapeXml(clip(input.title, 60))}</text>`,
    `<text x="24" y="56" font-size="13" fill="${COLOURS.muted}">${escapeXml(clip(input.subtitle, 100))}</text>`,
    ...bodies,
    '</svg>',
  ].join('\n');
}
