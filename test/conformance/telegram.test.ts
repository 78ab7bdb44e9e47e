import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { mapUpdate } from '@inbox/integrations/telegram';
import { MATERIAL } from './material';
import { FIXTURES, readJson, shapeOf } from './shape';

/** Telegram's own webhook-guide Update examples, against our mapper and our fixtures. */
const real = (name: string) => readJson(MATERIAL.telegram, name);
const now = () => new Date('2025-03-10T05:00:00.000Z');

describe('Telegram: the webhook-guide examples', () => {
  it('every example maps without an error', () => {
    const files = readdirSync(MATERIAL.telegram).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(13);
    for (const file of files) expect(() => mapUpdate(real(file), now)).not.toThrow();
  });

  it('/start of the first example is a start interaction, with the ids and names it carries', () => {
    expect(mapUpdate(real('01_message_text_first_example.json'), now).events).toEqual([
      {
        kind: 'interaction',
        channel: 'telegram',
        externalId: '1111111:1365',
        receivedAt: new Date(1441645532 * 1000).toISOString(),
        author: { externalId: '1111111', displayName: 'Test Test Lastname' },
        thread: { key: 'chat:1111111' },
        replyAddress: { chatId: 1111111, messageId: 1365 },
        action: 'start',
      },
    ]);
  });

  it("the forwarded «/start» examples are somebody else's words, filed with their origin, not commands", () => {
    for (const file of ['03_forwarded_message.json', '04_forwarded_channel_message.json']) {
      const { items, events } = mapUpdate(real(file), now);
      expect(events).toEqual([]);
      expect(items).toHaveLength(1);
      expect(items[0].text).toMatch(/^Пересл.*\n\/start$/s);
      expect(items[0].features).toMatchObject({ forwarded: 'true' });
    }
  });

  it('a text message becomes an item; entities, document, voice and audio are read as documented', () => {
    const text = real('02_message_text.json');
    text.message.text = 'Не вывозят мусор';
    expect(mapUpdate(text, now).items[0]).toMatchObject({
      externalId: '1111111:1365',
      receivedAt: '2015-09-07T17:05:32.000Z',
      author: { externalId: '1111111', displayName: 'Test Firstname Test Lastname' },
      text: 'Не вывозят мусор',
    });
    expect(mapUpdate(real('07_message_with_entities.json'), now).items[0].text).toBe('Bold and italics');
    expect(mapUpdate(real('10_message_with_document.json'), now).items[0].attachments).toEqual([
      {
        fileName: 'Testfile.pdf',
        contentType: 'application/pdf',
        remoteRef: 'AwADBAADbXXXXXXXXXXXGBdhD2l6_XX',
        size: 536392,
      },
    ]);
    expect(mapUpdate(real('09_voice_message.json'), now).items[0].attachments?.[0]).toMatchObject({
      contentType: 'audio/ogg',
      size: 23000,
    });
    expect(mapUpdate(real('08_message_with_audio.json'), now).items[0].attachments?.[0]).toMatchObject({
      contentType: 'audio/mpeg',
      size: 3897500,
    });
  });

  it('a callback query is a button interaction; an edit is a correction of its message; inline queries are ignored', () => {
    expect(mapUpdate(real('13_callback_query.json'), now).events[0]).toMatchObject({
      action: 'button',
      value: 'Data from button callback',
      callbackId: '4382bfdwdsb323b2d9',
    });
    expect(mapUpdate(real('06_edited_message.json'), now)).toEqual({
      items: [
        expect.objectContaining({
          externalId: '1111111:1365:edit:1441646600',
          receivedAt: new Date(1441646600 * 1000).toISOString(),
          text: 'Edited text',
          thread: { key: 'chat:1111111' },
          features: { correctionOf: '1111111:1365' },
        }),
      ],
      events: [],
    });
    // Left out, with the reason for the log.
    expect(mapUpdate(real('11_inline_query.json'), now)).toEqual({
      items: [],
      events: [],
      skipped: 'inline-query',
    });
    expect(mapUpdate(real('12_chosen_inline_result.json'), now)).toEqual({
      items: [],
      events: [],
      skipped: 'chosen-inline-result',
    });
  });
});

describe('Telegram: our fixtures have the shapes of the real examples', () => {
  it.each([
    ['start.json', '01_message_text_first_example.json'],
    ['text-message.json', '02_message_text.json'],
    ['reply-message.json', '05_message_with_reply.json'],
    ['edited-message.json', '06_edited_message.json'],
    ['entities-message.json', '07_message_with_entities.json'],
    ['audio-message.json', '08_message_with_audio.json'],
    ['voice-message.json', '09_voice_message.json'],
    ['document-message.json', '10_message_with_document.json'],
    ['inline-query.json', '11_inline_query.json'],
    ['chosen-inline-result.json', '12_chosen_inline_result.json'],
    ['callback-query.json', '13_callback_query.json'],
  ])('%s ~ %s', (ours, theirs) => {
    expect(shapeOf(readJson(join(FIXTURES, 'telegram'), ours))).toEqual(shapeOf(real(theirs)));
  });
});
