import { createHash } from 'node:crypto';
import { Role } from '@inbox/access';
import { idOf } from '../factories/directory';
import { signInAs, type SignedIn } from '../factories/staff';
import { type SentVkMessage, type VkFake, type VkUpdate } from '../fakes/vk/vk-fake';
import { eventually, json, type TestStack } from '../support/test-stack';
import { startVkStack, type VkStack } from '../support/vk-stack';

const PHOTO = Buffer.from('ffd8ffe000104a46494600010100000100010000ffd9', 'hex');

type Keyboard = { inline: boolean; buttons: { action: { label: string; payload: string } }[][] };

/**
 * The worker registers its history consumers at boot; from then on every event is queued for them (a fresh
 * install does not notify about the past): wait for it, so that the first appeal's notices are not missed.
 */
async function hooksLive(stack: TestStack): Promise<void> {
  await eventually(async () => {
    const rows = await stack.db.dataSource.query(
      `SELECT 1 FROM event_consumers WHERE name = 'citizen-notices:vk'`,
    );
    return rows.length ? true : undefined;
  });
}

/**
 * Issue 4 end to end for a VK community, through the real api + worker and the local VK fake: Callback API
 * (confirmation, secret), the consent dialogue with keyboard buttons, a photo appeal, the answer in the same
 * dialogue, rating buttons, a poor rating reopened upward; duplicates, a rate limit, a forged callback; and
 * the Bots Long Poll as the other way in.
 */
describe('VK channel (e2e)', () => {
  describe('Callback API', () => {
    let vk: VkStack;
    let fake: VkFake;
    let stack: TestStack;
    let url = '';
    let operator: SignedIn;
    let housingClerk: SignedIn;
    let housingColleague: SignedIn;
    let supervisor: SignedIn;
    let org: Record<string, string>;
    const peer = 310_000_001;
    let localId = 100;
    let appealId = '';
    let number = '';

    beforeAll(async () => {
      vk = await startVkStack();
      ({ fake, stack, url } = vk);
      const ds = stack.db.dataSource;
      org = {
        region: await idOf(ds, 'organisations', 'region'),
        minzhkh: await idOf(ds, 'organisations', 'minzhkh'),
        housing: await idOf(ds, 'topics', 'housing'),
      };
      operator = await signInAs(stack.api, stack.baseUrl, Role.Operator, 'cur');
      housingClerk = await signInAs(stack.api, stack.baseUrl, Role.Clerk, 'minzhkh');
      housingColleague = await signInAs(stack.api, stack.baseUrl, Role.Clerk, 'minzhkh');
      supervisor = await signInAs(stack.api, stack.baseUrl, Role.Supervisor, 'region');
      await hooksLive(stack);
    });
    afterAll(async () => {
      await vk?.close();
    });

    const post = (path: string, who: SignedIn, body: unknown = {}) =>
      fetch(`${stack.baseUrl}${path}`, { method: 'POST', headers: who.headers, body: JSON.stringify(body) });
    const card = (id: string) =>
      json(fetch(`${stack.baseUrl}/api/v1/appeals/${id}`, { headers: supervisor.headers }));
    const query = (sql: string, params: unknown[] = []) => stack.db.dataSource.query(sql, params);
    const sent = (peerId: number, match: (text: string) => boolean): Promise<SentVkMessage> =>
      eventually(async () => fake.messages.find((m) => m.peerId === peerId && match(m.message)));
    /** A community message from a citizen, as message_new with the next conversation message id. */
    const message = (peerId: number, fields: Record<string, unknown>): VkUpdate =>
      fake.event('message-new.json', (e) => {
        localId += 1;
        Object.assign(e.object.message, {
          peer_id: peerId,
          from_id: peerId,
          id: localId,
          conversation_message_id: localId,
          date: Math.floor(Date.now() / 1000),
          attachments: [],
          ...fields,
        });
      });
    const press = (peerId: number, button: { label: string; payload: string }) =>
      fake.postCallback(url, message(peerId, { text: button.label, payload: button.payload }));

    it('passes the confirmation handshake', async () => {
      expect(await fake.confirm(url)).toMatchObject({ status: 200, confirmed: true });
    });

    it('greets with consent buttons, holds a photo message until consent, then registers it with the photo', async () => {
      // VK's own «Начать» button sends {"command":"start"}.
      expect(
        await fake.postCallback(url, message(peer, { text: 'Начать', payload: '{"command":"start"}' })),
      ).toEqual({
        status: 200,
        text: 'ok',
      });
      const greeting = await sent(peer, (t) => t.includes('152-ФЗ'));
      const keyboard = greeting.keyboard as Keyboard;
      expect(keyboard.inline).toBe(true);
      const consentButton = keyboard.buttons[0][0].action;
      expect(consentButton).toMatchObject({ label: 'Согласен на обработку данных' });
      expect(greeting.message).toContain('нажмите кнопку «Согласен на обработку данных»');

      const large = fake.addFile('photo-large.jpg', PHOTO, 'image/jpeg');
      const small = fake.addFile('photo-small.jpg', PHOTO.subarray(0, 4), 'image/jpeg');
      const withPhoto = message(peer, {
        text: 'На детской площадке у дома 14 по ул. Гагарина сломаны качели, торчат болты.',
        attachments: [
          {
            type: 'photo',
            photo: {
              id: 457239017,
              owner_id: peer,
              sizes: [
                { type: 's', url: small, width: 75, height: 56 },
                { type: 'x', url: large, width: 604, height: 453 },
              ],
            },
          },
        ],
      });
      expect((await fake.postCallback(url, withPhoto)).status).toBe(200);
      const externalId = `msg:${peer}:${localId}`;
      await eventually(async () => {
        const [row] = await query(
          `SELECT status FROM inbound_items WHERE channel = 'vk' AND external_id = $1`,
          [externalId],
        );
        return row?.status === 'awaiting-consent' ? row : undefined;
      });
      expect(await query(`SELECT id FROM appeals WHERE channel = 'vk'`)).toEqual([]);

      expect((await press(peer, consentButton)).status).toBe(200);
      await sent(peer, (t) =>
        t.startsWith('Спасибо, согласие получено. Сообщения, отправленные вами раньше'),
      );
      const [appeal] = await eventually(async () => {
        const rows = await query(`SELECT id, registration_number FROM appeals WHERE channel = 'vk'`);
        return rows.length ? rows : undefined;
      });
      appealId = appeal.id;
      number = appeal.registration_number;
      const c = await card(appealId);
      await sent(
        peer,
        (t) =>
          t ===
          `Обращение зарегистрировано, № ${number}.\nСрок рассмотрения — 30 дней со дня регистрации, ` +
            `ответ будет направлен не позднее ${c.answerDueDate.split('-').reverse().join('.')}.\n` +
            'Узнать, как идёт рассмотрение, можно, написав «Мои обращения».',
      );
      expect(c).toMatchObject({
        channel: 'vk',
        status: 'registered',
        text: expect.stringContaining('качели'),
      });
      expect(
        await query(
          `SELECT p.channel, p.external_id FROM appeals a JOIN applicants p ON p.id = a.applicant_id WHERE a.id = $1`,
          [appealId],
        ),
      ).toEqual([{ channel: 'vk', external_id: String(peer) }]);
      const stored = await eventually(async () => {
        const x = await card(appealId);
        return x.attachments[0]?.status === 'stored' ? x.attachments : undefined;
      });
      expect(stored).toEqual([
        expect.objectContaining({
          contentType: 'image/jpeg',
          size: PHOTO.length,
          sha256: createHash('sha256').update(PHOTO).digest('hex'),
        }),
      ]);
    });

    it("notes on the appeal that the citizen forbade the community's messages, and allowed them again", async () => {
      const change = (type: 'message_deny' | 'message_allow') =>
        fake.event('message-allow.json', (e) => {
          e.type = type;
          e.object = { user_id: peer, ...(type === 'message_allow' ? { key: 'inbox-widget' } : {}) };
        });
      const notes = async () =>
        ((await card(appealId)).history as { type: string }[])
          .map((e) => e.type)
          .filter((type) => type.startsWith('dialogue-'))
          .sort();
      expect((await fake.postCallback(url, change('message_deny'))).status).toBe(200);
      await eventually(async () => ((await notes()).length === 1 ? true : undefined));
      expect((await fake.postCallback(url, change('message_allow'))).status).toBe(200);
      await eventually(async () => ((await notes()).length === 2 ? true : undefined));
      expect(await notes()).toEqual(['dialogue-closed', 'dialogue-reopened']);
    });

    it('answers «Мои обращения» typed as text, and does not register it', async () => {
      await fake.postCallback(url, message(peer, { text: 'Мои обращения' }));
      const list = await sent(peer, (t) => t.startsWith('Ваши обращения:'));
      expect(list.message).toContain(`№ ${number} от`);
      expect(
        await query(`SELECT status FROM inbound_items WHERE channel = 'vk' AND external_id = $1`, [
          `msg:${peer}:${localId}`,
        ]),
      ).toEqual([{ status: 'dialogue' }]);
      const history = (await card(appealId)).history.map((e: { type: string }) => e.type);
      expect(history).not.toContain('follow-up-received');
    });

    it('answers in the same dialogue, asks for a rating with buttons and reopens a poor one upward', async () => {
      // S0 needs name, patronymic and phone to escalate; VK gives none: line 1 completes the card by phone.
      await query(
        `UPDATE applicants SET first_name = 'Ольга', patronymic = 'Сергеевна', phone = '+79130000002'
          WHERE id = (SELECT applicant_id FROM appeals WHERE id = $1)`,
        [appealId],
      );
      expect(
        (
          await post(`/api/v1/appeals/${appealId}/escalate`, operator, {
            organisationIds: [org.minzhkh],
            topicId: org.housing,
            subject: 'Сломаны качели',
          })
        ).status,
      ).toBe(204);
      await sent(
        peer,
        (t) => t === `Обращение № ${number} передано на рассмотрение: Министерство ЖКХ и энергетики.`,
      );
      const answerText = 'Качели демонтированы, новые установят до конца месяца.';
      const draft = await json(
        post(`/api/v1/appeals/${appealId}/answers`, housingClerk, { text: answerText }),
      );
      expect(
        (await post(`/api/v1/appeals/${appealId}/answers/${draft.id}/approve`, housingColleague)).status,
      ).toBe(204);
      expect((await post(`/api/v1/appeals/${appealId}/answers/${draft.id}/send`, housingClerk)).status).toBe(
        204,
      );
      const answer = await sent(peer, (t) => t === answerText);
      const request = await sent(peer, (t) =>
        t.startsWith(`Пожалуйста, оцените ответ на обращение № ${number}`),
      );
      expect(request.id).toBeGreaterThan(answer.id);
      const buttons = (request.keyboard as Keyboard).buttons.flat().map((b) => b.action);
      expect(buttons.map((b) => b.label)).toEqual([
        'Ответ получен',
        'Ответа нет',
        'Удовлетворён',
        'Частично удовлетворён',
        'Не удовлетворён',
      ]);

      await press(peer, buttons[1]);
      // Issue 13: the citizen is thanked in the dialogue for a rating (VK shows no toast for a text button).
      await sent(
        peer,
        (t) => t === `Спасибо за оценку ответа на обращение № ${number}. Мы рассмотрим его повторно.`,
      );
      await press(peer, buttons[4]);
      const reopened = await eventually(async () => {
        const x = await card(appealId);
        return x.status === 'reopened' ? x : undefined;
      });
      expect(reopened.organisationId).toBe(org.region);
      await eventually(async () => {
        const rows = await query(`SELECT answered, satisfaction FROM ratings WHERE appeal_id = $1`, [
          appealId,
        ]);
        return rows.length === 2 ? rows : undefined;
      });
      await sent(peer, (t) => t.startsWith(`Обращение № ${number} направлено на повторное рассмотрение`));
    });

    it('makes one appeal of an event delivered twice, and sends once through a rate limit', async () => {
      const other = 310_000_002;
      // VK re-sends an event it thinks went unanswered: the very same body.
      const event = message(other, { text: 'Во дворе дома 3 по ул. Чехова не горят фонари.' });
      expect((await fake.postCallback(url, event)).status).toBe(200);
      expect((await fake.postCallback(url, event)).status).toBe(200);
      const notice = await sent(other, (t) => t.startsWith('Ваше сообщение получено и сохранено'));
      const consentButton = (notice.keyboard as Keyboard).buttons[0][0].action;
      await press(other, consentButton);
      const [appeal] = await eventually(async () => {
        const rows = await query(
          `SELECT a.id, a.registration_number FROM appeals a JOIN applicants p ON p.id = a.applicant_id
            WHERE p.channel = 'vk' AND p.external_id = $1`,
          [String(other)],
        );
        return rows.length ? rows : undefined;
      });
      await sent(other, (t) => t.startsWith(`Обращение зарегистрировано, № ${appeal.registration_number}`));
      const externalId = `msg:${other}:${(event.object as { message: { conversation_message_id: number } }).message.conversation_message_id}`;
      expect(
        await query(
          `SELECT count(*)::int AS n FROM inbound_items WHERE channel = 'vk' AND external_id = $1`,
          [externalId],
        ),
      ).toEqual([{ n: 1 }]);
      await new Promise((r) => setTimeout(r, 1000));
      expect(
        await query(
          `SELECT count(*)::int AS n FROM appeals a JOIN applicants p ON p.id = a.applicant_id
            WHERE p.channel = 'vk' AND p.external_id = $1`,
          [String(other)],
        ),
      ).toEqual([{ n: 1 }]);

      // VK says "too many requests per second" (error 6) once: the notice goes out once, a second later.
      fake.setScenario('rate-limited', { times: 1, only: 'messages.send' });
      expect((await post(`/api/v1/appeals/${appeal.id}/take`, operator)).status).toBe(204);
      expect(
        (
          await post(`/api/v1/appeals/${appeal.id}/redirect`, operator, {
            body: 'Администрация района',
            reason: 'Вопрос ведения района',
          })
        ).status,
      ).toBe(204);
      await sent(other, (t) => t.includes('передано'));
      await new Promise((r) => setTimeout(r, 1500));
      expect(fake.messages.filter((m) => m.peerId === other && m.message.includes('передано'))).toHaveLength(
        1,
      );
      expect(
        await query(
          `SELECT status, attempts FROM outbound_messages WHERE appeal_id = $1 AND kind = 'status-notice'`,
          [appeal.id],
        ),
      ).toEqual([{ status: 'sent', attempts: 2 }]);
    });

    it('refuses a forged callback (wrong or missing secret) and stores nothing', async () => {
      const count = async () => (await query(`SELECT count(*)::int AS n FROM inbound_items`))[0].n as number;
      const before = await count();
      const forged = message(310_000_009, { text: 'Поддельное сообщение' });
      expect((await fake.postCallback(url, forged, { secret: 'guess' })).status).toBe(403);
      expect((await fake.postCallback(url, forged, { secret: null })).status).toBe(403);
      await new Promise((r) => setTimeout(r, 300));
      expect(await count()).toBe(before);
    });
  });
  describe('Bots Long Poll', () => {
    let vk: VkStack;
    let fake: VkFake;
    let stack: TestStack;
    const peer = 310_000_101;

    beforeAll(async () => {
      // No callback secret: the community is read with the Bots Long Poll.
      vk = await startVkStack({ VK_CALLBACK_SECRET: '', VK_LONG_POLL_WAIT_SECONDS: '1' });
      ({ fake, stack } = vk);
      await hooksLive(stack);
    });
    afterAll(async () => {
      await vk?.close();
    });

    it('takes a dialogue through the long poll: consent button, then the held message is registered', async () => {
      let localId = 500;
      const message = (fields: Record<string, unknown>) =>
        fake.event('message-new.json', (e) => {
          localId += 1;
          Object.assign(e.object.message, {
            peer_id: peer,
            from_id: peer,
            id: localId,
            conversation_message_id: localId,
            date: Math.floor(Date.now() / 1000),
            ...fields,
          });
        });
      // VK's long poll starts at the server's current ts: wait until the worker is listening.
      await eventually(async () => (fake.longPollRequests.length > 0 ? true : undefined));
      fake.pushUpdate(message({ text: 'Прошу отремонтировать крыльцо поликлиники № 2, ступени разрушены.' }));
      const notice = await eventually(async () =>
        fake.messages.find(
          (m) => m.peerId === peer && m.message.startsWith('Ваше сообщение получено и сохранено'),
        ),
      );
      const button = (notice.keyboard as Keyboard).buttons[0][0].action;
      fake.pushUpdate(message({ text: button.label, payload: button.payload }));
      const registered = await eventually(async () =>
        fake.messages.find((m) => m.peerId === peer && m.message.startsWith('Обращение зарегистрировано, №')),
      );
      const [appeal] = await stack.db.dataSource.query(
        `SELECT a.registration_number, a.text FROM appeals a JOIN applicants p ON p.id = a.applicant_id
          WHERE p.channel = 'vk' AND p.external_id = $1`,
        [String(peer)],
      );
      expect(registered.message).toContain(appeal.registration_number);
      expect(appeal.text).toContain('крыльцо поликлиники');
    });
  });
});
