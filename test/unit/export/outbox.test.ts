import { describe, expect, it } from 'vitest';
import { storyMessages } from '../../../src/alerts/story-messages.js';
import { exportRows } from '../../../src/export/outbox.js';
import { exportReference } from '../../../src/export/reference.js';
import { loadKnowledge } from '../../../src/extract/knowledge.js';
import { roundcubeStory } from './story-fixtures.js';

const reference = exportReference(loadKnowledge());
const targets = new Map([
  ['cti', { format: 'stix' as const }],
  ['misp', { format: 'misp' as const, distribution: '2' as const }],
]);
const decision = (destination: string, digest = false) => ({
  destination,
  route: 'all',
  mentionRoleIds: [],
  digest,
});

describe('exportRows', () => {
  it('gives machine destinations the story as a document and leaves Discord rows alone', () => {
    const story = roundcubeStory({ destinations: [] });
    const rows = storyMessages(story, 'new-story', story.first, [
      decision('intel'),
      decision('cti', true),
      decision('misp'),
    ]);
    const out = exportRows(rows, story, targets, reference);
    expect(out[0]).toBe(rows[0]);
    expect(out[1]).toMatchObject({
      destination: 'cti',
      kind: 'alert',
      message: { document: { format: 'stix' } },
    });
    // Flood control and digests are for people: a collection takes every story as it comes.
    expect(out[1]?.hold).toBeUndefined();
    expect(out[2]?.message.document).toMatchObject({
      format: 'misp',
      event: { Event: { distribution: '2' } },
    });
    expect(out[1]?.message.embeds[0]?.title).toBe(story.first.title);
  });

  it('turns a known story into edits only: the new claim travels inside the document', () => {
    const story = roundcubeStory({ destinations: ['intel', 'cti'] });
    const rows = storyMessages(story, 'new-claim', story.first, [decision('intel'), decision('cti')]);
    expect(rows.map((row) => `${row.destination}:${row.kind}`)).toEqual([
      'intel:edit',
      'intel:update',
      'cti:edit',
      'cti:update',
    ]);
    const out = exportRows(rows, story, targets, reference);
    expect(out.map((row) => `${row.destination}:${row.kind}`)).toEqual([
      'intel:edit',
      'intel:update',
      'cti:edit',
    ]);
    const document = out[2]?.message.document;
    expect(document?.format === 'stix' && document.objects.some((object) => object.id === document.id)).toBe(
      true,
    );
  });
});
