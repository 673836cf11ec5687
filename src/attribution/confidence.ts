/** Confidence of an attribution with its reasons: who attributes, how firmly, and whether it is denied. */
import type { AttributingParty, Claim, Denial } from './claims.js';

export interface ConfidenceInput {
  isAttribution: boolean;
  /** Non-negated claims that name a state. */
  liveClaims: Claim[];
  claims: Claim[];
  parties: AttributingParty[];
  denials: Denial[];
  attributedCount: number;
}

export interface Confidence {
  confidence: number;
  reason: string;
  reasons: string[];
}

function round(x: number): number {
  return Math.round(Math.min(0.95, Math.max(0, x)) * 100) / 100;
}

export function scoreConfidence(input: ConfidenceInput): Confidence {
  const reasons: string[] = [];
  if (!input.isAttribution) {
    if (input.attributedCount > 0) {
      reasons.push('a state is named as responsible only in passing (background or secondary sentence)');
      return { confidence: 0.3, reason: 'background attribution only', reasons };
    }
    const retracted = input.claims.some((c) => c.negated);
    reasons.push(
      retracted
        ? 'claims found are negated, conditional or withdrawn'
        : 'no claim that a state or state-linked actor is responsible',
    );
    return {
      confidence: retracted ? 0.1 : 0,
      reason: retracted ? 'attribution negated or withdrawn' : 'no attribution found',
      reasons,
    };
  }
  const attributors = input.liveClaims.flatMap((c) => c.attributors);
  const govs = new Set(
    attributors.filter((p) => p.kind === 'government' || p.kind === 'bloc').map((p) => p.name),
  );
  const vendors = new Set(attributors.filter((p) => p.kind === 'vendor').map((p) => p.name));
  const anonymous = attributors.some((p) => p.kind === 'unnamed' || p.kind === 'media');
  let confidence: number;
  let reason: string;
  if (govs.size >= 2) {
    confidence = 0.9;
    reason = 'official attribution by several governments';
    reasons.push(`governments attributing: ${[...govs].join(', ')}`);
  } else if (govs.size === 1) {
    confidence = 0.85;
    reason = 'official government attribution';
    reasons.push(`government attributing: ${[...govs].join(', ')}`);
  } else if (vendors.size > 0) {
    confidence = 0.8;
    reason = 'attribution by a named security vendor';
    reasons.push(`vendor attributing: ${[...vendors].join(', ')}`);
  } else if (anonymous) {
    confidence = 0.6;
    reason = 'attribution sourced to media reports or unnamed sources';
    reasons.push('anonymous or media sourcing');
  } else if (attributors.length > 0) {
    confidence = 0.7;
    reason = 'attribution by a named party';
    reasons.push(`attributing: ${[...new Set(attributors.map((p) => p.name))].join(', ')}`);
  } else {
    confidence = 0.5;
    reason = 'attribution stated without a named source';
    reasons.push('the text states the attribution without saying who makes it');
  }
  const hedged = input.liveClaims.filter((c) => c.hedges.length > 0);
  if (hedged.length > 0 && hedged.length === input.liveClaims.length) {
    confidence -= 0.15;
    reason += ', hedged';
    reasons.push(`hedged wording: ${[...new Set(hedged.flatMap((c) => c.hedges))].join(', ')}`);
  } else if (hedged.length > 0) {
    confidence -= 0.05;
    reasons.push(`some claims hedged: ${[...new Set(hedged.flatMap((c) => c.hedges))].join(', ')}`);
  }
  if (input.denials.length > 0)
    reasons.push(
      `denied by ${[...new Set(input.denials.map((d) => d.by))].join(', ')} (does not remove the attribution)`,
    );
  return { confidence: round(confidence), reason, reasons };
}
