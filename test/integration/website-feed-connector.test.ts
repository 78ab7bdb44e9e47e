import { createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { JsonLogger } from '@inbox/common';
import {
  Channel,
  type ChannelAccountRef,
  ConnectorError,
  ConnectorErrorCode,
} from '@inbox/integrations/contract';
import { WebsiteFeedConnector, type WebsiteFeedPullPage } from '@inbox/integrations/website-feed';
import { nestedMarker } from '../fakes/nested-json';
import { WebsiteFeedFake } from '../fakes/website-feed/website-feed-fake';

const quiet = new JsonLogger('website-feed-test', 'error');

async function errorOf(promise: Promise<unknown>): Promise<ConnectorError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ConnectorError) return error;
    throw error;
  }
  throw new Error('expected a ConnectorError, the call succeeded');
}

describe('website feed connector against a fake reception site (integration)', () => {
  let fake: WebsiteFeedFake;
  let connector: WebsiteFeedConnector;

  beforeEach(async () => {
    fake = new WebsiteFeedFake();
    fake.token = 'site-feed-token';
    await fake.start();
    connector = new WebsiteFeedConnector({ logger: quiet, timeoutMs: 5000 });
  });

  afterEach(async () => {
    await fake.stop();
  });

  function account(cursorField: 'id' | 'timestamp', extra: Record<string, unknown> = {}): ChannelAccountRef {
    return {
      id: 'feed-acc-1',
      channel: Channel.Website,
      settings: {
        url: fake.url,
        cursorField,
        itemsPath: 'data.items',
        fieldMap: {
          externalId: 'id',
          text: 'message.text',
          createdAt: 'created',
          surname: 'author.lastName',
          firstName: 'author.firstName',
          patronymic: 'author.middleName',
          email: 'author.contacts.email',
          phone: 'author.contacts.phone',
          address: 'author.postal',
          location: 'place',
          subject: 'message.topic',
        },
        pageSizeParam: 'limit',
        cursorParam: 'after',
        siteKey: 'governor-nso',
        ...extra,
      },
      secrets: { bearerToken: 'site-feed-token' },
    };
  }

  async function drain(acc: ChannelAccountRef, cursor: unknown, limit: number) {
    const pages: WebsiteFeedPullPage[] = [];
    for (let i = 0; i < 100; i++) {
      const page = await connector.pull(acc, cursor, limit);
      pages.push(page);
      cursor = page.nextCursor;
      if (!page.hasMore) return { pages, cursor };
    }
    throw new Error('the feed never ended');
  }
  const ids = (pages: WebsiteFeedPullPage[]) => pages.flatMap((p) => p.items.map((i) => i.externalId));

  it('maps an item through the field map, under a feed: externalId that cannot clash with the form', async () => {
    const site = fake.addItem();
    const page = await connector.pull(account('id'), null, 10);
    expect(page.items).toEqual([
      {
        channel: Channel.Website,
        externalId: `feed:governor-nso:${site.id}`,
        receivedAt: new Date(Date.parse(site.created)).toISOString(),
        regime: 'appeal',
        author: {
          surname: 'Иванов',
          firstName: 'Сергей',
          patronymic: 'Андреевич',
          email: 's.ivanov@example.ru',
          phone: '+7 913 555-12-34',
          postalAddress: '630049, г. Новосибирск, Красный проспект, 157, кв. 8',
        },
        subject: 'Благоустройство',
        text: 'Прошу отремонтировать тротуар у остановки «Площадь Калинина»: плитка разрушена, люди падают.',
        address: 'г. Новосибирск, остановка «Площадь Калинина»',
        replyAddress: { email: 's.ivanov@example.ru' },
      },
    ]);
    expect(fake.requests[0].headers.authorization).toBe('Bearer site-feed-token');
    expect(fake.requests[0].query).toEqual({ limit: '10' });

    // A PHP site stores what htmlspecialchars wrote: the citizen's words are read back as typed.
    const escaped = fake.addItem({
      message: {
        text: 'Во дворе дома &quot;5А&quot; яма &amp; лужа &laquo;по колено&raquo;',
        topic: 'ЖКХ &amp; двор',
      },
      place: 'ул. Ленина, д. &#8470;5',
    });
    const [item] = (await connector.pull(account('id'), { afterId: String(site.id) }, 10)).items;
    expect(item).toMatchObject({
      externalId: `feed:governor-nso:${escaped.id}`,
      subject: 'ЖКХ & двор',
      text: 'Во дворе дома "5А" яма & лужа «по колено»',
      address: 'ул. Ленина, д. №5',
    });
  });

  it("reads a CMS's Russian DD.MM.YYYY date and PHP's epoch seconds as digits, not as another month or nothing", async () => {
    const bitrix = fake.addItem({ created: '01.02.2025 13:00:00' });
    const php = fake.addItem({ created: '1738404000' });
    // Straight from Postgres (timestamptz as text, the offset in hours alone): it was rejected as no time at all.
    const postgres = fake.addItem({ created: '2025-02-01 17:00:00.25+07' });
    const page = await connector.pull(account('id'), null, 10);
    expect(page.rejected).toEqual([]);
    const receivedAt = (id: number) => page.items.find((i) => i.externalId.endsWith(`:${id}`))?.receivedAt;
    // Zone-less, as the site wrote it: Moscow time when the account names no zone, never the process's.
    expect(receivedAt(bitrix.id)).toBe('2025-02-01T10:00:00.000Z');
    expect(receivedAt(php.id)).toBe('2025-02-01T10:00:00.000Z');
    expect(receivedAt(postgres.id)).toBe('2025-02-01T10:00:00.250Z');
  });

  it("reads zone-less times in the site's own zone, so a late-evening appeal keeps its day for the deadlines", async () => {
    const late = fake.addItem({ created: '2025-02-01 23:30:00' });
    const bitrix = fake.addItem({ created: '01.02.2025 23:45' });
    const zoned = fake.addItem({ created: '2025-02-01T23:50:00+03:00' });
    const page = await connector.pull(account('id', { timeZone: 'Asia/Irkutsk' }), null, 10);
    expect(page.rejected).toEqual([]);
    const receivedAt = (id: number) => page.items.find((i) => i.externalId.endsWith(`:${id}`))?.receivedAt;
    // 23:30 in Irkutsk (UTC+8) is 15:30 UTC, still 1 February there; read as UTC it was the 2nd.
    expect(receivedAt(late.id)).toBe('2025-02-01T15:30:00.000Z');
    expect(receivedAt(bitrix.id)).toBe('2025-02-01T15:45:00.000Z');
    expect(receivedAt(zoned.id)).toBe('2025-02-01T20:50:00.000Z');

    // By timestamp, the cursor keeps the site's own spelling and reads back in the same zone: nothing is taken twice.
    const fresh = new WebsiteFeedFake();
    fresh.mode = 'timestamp';
    fresh.token = 'site-feed-token';
    await fresh.start();
    try {
      fresh.addItem({ created: '2025-02-01 23:30:00' });
      fresh.addItem({ created: '2025-02-01 23:40:00' });
      const timed = { ...account('timestamp', { timeZone: 'Asia/Irkutsk' }) };
      timed.settings = { ...timed.settings, url: fresh.url };
      const first = await connector.pull(timed, null, 10);
      expect(first.items.map((i) => i.receivedAt)).toEqual([
        '2025-02-01T15:30:00.000Z',
        '2025-02-01T15:40:00.000Z',
      ]);
      expect(first.nextCursor).toMatchObject({ since: '2025-02-01 23:40:00' });
      expect((await connector.pull(timed, first.nextCursor, 10)).items).toEqual([]);
    } finally {
      await fresh.stop();
    }

    const error = await errorOf(connector.pull(account('id', { timeZone: 'Сибирь' }), null, 10));
    expect(error.code).toBe(ConnectorErrorCode.AuthFailed);
    expect(error.details.fields).toEqual({
      timeZone: '«Часовой пояс» (timeZone): часовой пояс IANA, например Asia/Novosibirsk',
    });
  });

  it('sets a second, different item under an id already on the page aside for staff; a repeat is nothing new', async () => {
    const first = fake.addItem();
    fake.addItem({ id: first.id, created: first.created });
    const other = fake.addItem({
      id: first.id,
      message: { text: 'Другое обращение под тем же номером: не работает фонарь у дома 3.' },
    });
    const page = await connector.pull(account('id'), null, 10);
    expect(page.items.map((i) => i.externalId)).toEqual([`feed:governor-nso:${first.id}`]);
    expect(page.rejected).toEqual([
      {
        externalId: `feed:governor-nso:${first.id}`,
        reason: expect.stringContaining('с тем же идентификатором'),
        raw: expect.objectContaining({ message: expect.objectContaining({ text: other.message!.text }) }),
      },
    ]);
  });

  it('falls back to the account id when no site key is set', async () => {
    const site = fake.addItem();
    const page = await connector.pull(account('id', { siteKey: undefined }), null, 10);
    expect(page.items[0].externalId).toBe(`feed:feed-acc-1:${site.id}`);
  });

  describe('by id', () => {
    it('pages by the last id, every item exactly once, and a re-pull gives the same externalIds', async () => {
      const added = Array.from({ length: 7 }, () => fake.addItem());
      const { pages, cursor } = await drain(account('id'), null, 3);
      expect(ids(pages)).toEqual(added.map((i) => `feed:governor-nso:${i.id}`));
      expect(cursor).toEqual({ afterId: String(added[6].id) });
      expect(fake.requests.map((r) => r.query.after)).toEqual([
        undefined,
        String(added[2].id),
        String(added[5].id),
      ]);

      const replay = await connector.pull(account('id'), pages[0].nextCursor, 3);
      expect(replay.items.map((i) => i.externalId)).toEqual(pages[1].items.map((i) => i.externalId));

      const nothing = await connector.pull(account('id'), cursor, 3);
      expect(nothing).toMatchObject({ items: [], nextCursor: cursor, hasMore: false });
    });

    it('after a page cut mid-way throws Temporary, and the retry yields everything once', async () => {
      const added = Array.from({ length: 5 }, () => fake.addItem());
      const first = await connector.pull(account('id'), null, 2);
      fake.setScenario('cut-mid-page', { times: 1 });
      expect((await errorOf(connector.pull(account('id'), first.nextCursor, 2))).code).toBe(
        ConnectorErrorCode.Temporary,
      );
      const rest = await drain(account('id'), first.nextCursor, 2);
      expect([...ids([first]), ...ids(rest.pages)]).toEqual(added.map((i) => `feed:governor-nso:${i.id}`));
    });
  });

  it("takes the files attached on the site as links and downloads them from the site's host only", async () => {
    const scan = Buffer.from('%PDF-1.4 скан заявления');
    const path = fake.addFile('Заявление Иванова.pdf', scan);
    const photo = fake.addFile('yama.jpg', Buffer.from([0xff, 0xd8, 0xff, 0xe0]));
    const site = fake.addItem({
      files: [
        { url: path, name: 'Заявление Иванова.pdf', size: scan.length },
        photo,
        'javascript:alert(1)',
        { name: 'без ссылки.docx' },
      ],
    });
    const acc = account('id', {
      fieldMap: { externalId: 'id', text: 'message.text', createdAt: 'created', attachments: 'files' },
    });
    const [item] = (await connector.pull(acc, null, 10)).items;
    expect(item.externalId).toBe(`feed:governor-nso:${site.id}`);
    const origin = new URL(fake.url).origin;
    expect(item.attachments).toEqual([
      {
        fileName: 'Заявление Иванова.pdf',
        contentType: 'application/pdf',
        remoteRef: `${origin}${path}`,
        size: scan.length,
      },
      { fileName: 'yama.jpg', contentType: 'image/jpeg', remoteRef: `${origin}${photo}` },
    ]);
    expect(item.text).toContain('Вложения с сайта не распознаны: 2.');

    // Files and no words (a scan of a letter): the citizen's appeal all the same, the clerk told to read the files.
    const scanOnly = fake.addItem({ message: { topic: 'Благоустройство' }, files: [path] });
    const [later] = (await connector.pull(acc, { afterId: String(site.id) }, 10)).items;
    expect(later).toMatchObject({
      externalId: `feed:governor-nso:${scanOnly.id}`,
      text: 'Текст обращения не передан сайтом: см. вложения.',
      attachments: [{ fileName: 'Заявление Иванова.pdf', remoteRef: `${origin}${path}` }],
    });

    const fetched = await connector.fetchAttachment(acc, `${origin}${path}`);
    expect(fetched.content.equals(scan)).toBe(true);
    // The feed's token stays with the feed; another host is refused before any request.
    const download = fake.requests.find((r) => r.path === path);
    expect(download?.headers.authorization).toBeUndefined();
    const foreign = await errorOf(connector.fetchAttachment(acc, 'http://files.example.org/a.pdf'));
    expect(foreign.code).toBe(ConnectorErrorCode.InvalidPayload);
    const gone = await errorOf(connector.fetchAttachment(acc, `${origin}/files/missing.pdf`));
    expect(gone.code).toBe(ConnectorErrorCode.NotFound);
  });

  it('registers a text over 50 000 characters: its beginning as the text, the whole of it as a file', async () => {
    const text = 'Жалоба 👨‍👩‍👧 ' + 'Во дворе не убран снег, ‍прошу принять меры. '.repeat(1200);
    const site = fake.addItem({ message: { text } });
    const [item] = (await connector.pull(account('id'), null, 10)).items;
    expect(item.externalId).toBe(`feed:governor-nso:${site.id}`);
    expect(item.text).toMatch(/^Жалоба 👨‍👩‍👧 Во дворе/);
    expect(item.text).toMatch(
      /…\n\nТекст обращения длиннее 50000 знаков: полностью — во вложении «obrashchenie\.txt»\.$/,
    );
    expect(item.text.length).toBeLessThan(50_200);
    expect(item.attachments).toEqual([
      expect.objectContaining({ fileName: 'obrashchenie.txt', contentType: 'text/plain' }),
    ]);
    expect(Buffer.from(item.attachments![0].contentBase64!, 'base64').toString('utf8')).toBe(text.trim());
  });

  describe('answers over maxResponseBytes', () => {
    // About 2.6 KB of JSON an item: two fit in 6 000 bytes, three do not.
    const long = (n: number) => ({
      message: { text: `Обращение ${n}. ${'Во дворе не убран снег. '.repeat(55)}`, topic: 'ЖКХ' },
    });

    it.each([false, true])(
      'asks for fewer items a page until the answer fits, and every item comes once (chunked: %s)',
      async (chunked) => {
        fake.chunked = chunked;
        const added = Array.from({ length: 5 }, (_, n) => fake.addItem(long(n)));
        const { pages } = await drain(account('id', { maxResponseBytes: 6000 }), null, 5);
        expect(ids(pages)).toEqual(added.map((i) => `feed:governor-nso:${i.id}`));
        // 5 refused, then 2 (5 → 2), each pull starting from the page size asked for.
        expect(fake.requests.slice(0, 2).map((r) => r.query.limit)).toEqual(['5', '2']);
      },
    );

    it('stops at one item over the limit with a clear error, after returning the items before it', async () => {
      const before = [fake.addItem(long(1)), fake.addItem(long(2))];
      fake.addItem({ message: { text: 'Очень длинное обращение. '.repeat(400) } });
      fake.addItem(long(4));
      const acc = account('id', { maxResponseBytes: 6000 });
      const first = await connector.pull(acc, null, 4);
      expect(first.items.map((i) => i.externalId)).toEqual(before.map((i) => `feed:governor-nso:${i.id}`));
      const error = await errorOf(connector.pull(acc, first.nextCursor, 4));
      expect(error.code).toBe(ConnectorErrorCode.InvalidPayload);
      expect(error.message).toBe(
        'website feed: a page of 1 is larger than 6000 bytes (maxResponseBytes, WEBSITE_FEED_MAX_RESPONSE_BYTES)',
      );
      // No personal data in what is logged or stored on the account: the message names sizes only.
      expect(error.message).not.toMatch(/Иванов|обращение/i);
    });
  });

  describe('by timestamp', () => {
    it('pages by instant and keeps the ids taken at it, so ties across pages are neither lost nor doubled', async () => {
      // Between the first item (09:01) and the last (09:07) of the site's own clock.
      const tie = '2025-03-03T09:03:30+07:00';
      const added = [
        fake.addItem(),
        fake.addItem({ created: tie }),
        fake.addItem({ created: tie }),
        fake.addItem({ created: tie }),
        fake.addItem({ created: tie }),
        fake.addItem({ created: tie }),
        fake.addItem(),
      ];
      fake.mode = 'timestamp';
      const { pages, cursor } = await drain(account('timestamp'), null, 2);
      const all = ids(pages);
      expect([...all].sort()).toEqual(added.map((i) => `feed:governor-nso:${i.id}`).sort());
      expect(new Set(all).size).toBe(all.length);
      expect(cursor).toEqual({ since: added[6].created, idsAtSince: [String(added[6].id)] });
      // The site was asked from the last instant on, verbatim as it wrote it.
      expect(fake.requests.map((r) => r.query.after)).toContain(tie);

      fake.addItem({ created: added[6].created });
      const late = await connector.pull(account('timestamp'), cursor, 2);
      expect(late.items).toHaveLength(1);
      expect(late.nextCursor).toEqual({
        since: added[6].created,
        idsAtSince: [String(added[6].id), String(added[6].id + 1)],
      });
    });

    it('widens the page when a full page holds only items already taken at the same instant', async () => {
      const tie = '2025-03-03T12:00:00+07:00';
      const added = Array.from({ length: 5 }, () => fake.addItem({ created: tie }));
      fake.mode = 'timestamp';
      const { pages } = await drain(account('timestamp'), null, 2);
      expect([...ids(pages)].sort()).toEqual(added.map((i) => `feed:governor-nso:${i.id}`).sort());
      expect(fake.requests.some((r) => Number(r.query.limit) > 2)).toBe(true);
    });

    it('after a page cut mid-way throws Temporary, and the retry yields everything once', async () => {
      const added = Array.from({ length: 5 }, () => fake.addItem());
      fake.mode = 'timestamp';
      const first = await connector.pull(account('timestamp'), null, 2);
      fake.setScenario('cut-mid-page', { times: 1 });
      expect((await errorOf(connector.pull(account('timestamp'), first.nextCursor, 2))).code).toBe(
        ConnectorErrorCode.Temporary,
      );
      const rest = await drain(account('timestamp'), first.nextCursor, 2);
      expect([...ids([first]), ...ids(rest.pages)]).toEqual(added.map((i) => `feed:governor-nso:${i.id}`));
    });

    it('rejects an item without text and still moves the cursor past it', async () => {
      const added = Array.from({ length: 3 }, () => fake.addItem());
      fake.mode = 'timestamp';
      fake.setScenario('malformed', { times: 1 });
      const page = await connector.pull(account('timestamp'), null, 10);
      expect(page.items.map((i) => i.externalId)).toEqual([
        `feed:governor-nso:${added[0].id}`,
        `feed:governor-nso:${added[2].id}`,
      ]);
      expect(page.rejected).toMatchObject([{ externalId: `feed:governor-nso:${added[1].id}` }]);
      expect(page.nextCursor).toEqual({ since: added[2].created, idsAtSince: [String(added[2].id)] });
    });

    it('refuses a cursor written for id paging', async () => {
      fake.mode = 'timestamp';
      const error = await errorOf(connector.pull(account('timestamp'), { afterId: '1501' }, 10));
      expect(error.code).toBe(ConnectorErrorCode.CursorInvalid);
    });
  });

  describe('bad input and a bad site', () => {
    it('rejects an item without text with a reason and returns the rest of the page', async () => {
      const added = Array.from({ length: 3 }, () => fake.addItem());
      fake.addItem({ created: 'когда-то' });
      fake.setScenario('malformed', { times: 1 });
      const page = await connector.pull(account('id'), null, 10);
      expect(page.items.map((i) => i.externalId)).toEqual([
        `feed:governor-nso:${added[0].id}`,
        `feed:governor-nso:${added[1].id}`,
      ]);
      expect(page.rejected).toEqual([
        {
          externalId: `feed:governor-nso:${added[2].id}`,
          reason: 'В обращении с сайта нет обязательного поля или оно не распознано: message.text',
          raw: expect.objectContaining({ id: added[2].id }),
        },
        {
          externalId: `feed:governor-nso:${added[2].id + 1}`,
          reason: 'В обращении с сайта нет обязательного поля или оно не распознано: created',
          raw: expect.objectContaining({ created: 'когда-то' }),
        },
      ]);
      // Rejected items do not block the feed.
      expect(page.nextCursor).toEqual({ afterId: String(added[2].id + 1) });
    });

    it('quarantines an item its reading throws on, with the reason, and moves the cursor past it', async () => {
      const before = fake.addItem();
      // A field nested deeper than our reading goes: keeping the item's text to compare ids threw (RangeError).
      const odd = fake.addItem({ extra: nestedMarker(6000) } as unknown as Parameters<
        WebsiteFeedFake['addItem']
      >[0]);
      // An epoch beyond what a Date holds threw too, and stopped the whole page for ever: now a time not recognised.
      const far = fake.addItem({ created: 8_700_000_000_000_000 as unknown as string });
      const after = fake.addItem();
      const page = await connector.pull(account('id'), null, 10);
      expect(page.items.map((i) => i.externalId)).toEqual([
        `feed:governor-nso:${before.id}`,
        `feed:governor-nso:${after.id}`,
      ]);
      expect(page.rejected).toEqual([
        {
          externalId: `feed:governor-nso:${odd.id}`,
          reason: expect.stringMatching(
            /^Обращение с сайта не удалось разобрать: сбой программы чтения канала \(RangeError/,
          ),
          raw: expect.objectContaining({ id: odd.id }),
        },
        {
          externalId: `feed:governor-nso:${far.id}`,
          reason: 'В обращении с сайта нет обязательного поля или оно не распознано: created',
          raw: expect.objectContaining({ id: far.id }),
        },
      ]);
      // Last on its page, it still moves the cursor.
      const last = fake.addItem({ extra: nestedMarker(6000) } as unknown as Parameters<
        WebsiteFeedFake['addItem']
      >[0]);
      const next = await connector.pull(account('id'), page.nextCursor, 10);
      expect(next.rejected.map((r) => r.externalId)).toEqual([`feed:governor-nso:${last.id}`]);
      expect(next.nextCursor).toEqual({ afterId: String(last.id) });
    });

    it('maps 429 to RateLimited with Retry-After, 502 and a timeout to Temporary, 503 with its Retry-After, 401 to AuthFailed', async () => {
      fake.addItem();
      fake.setScenario('rate-limited', { times: 1 });
      const limited = await errorOf(connector.pull(account('id'), null, 10));
      expect(limited.code).toBe(ConnectorErrorCode.RateLimited);
      expect(limited.details.retryAfterMs).toBe(30_000);

      fake.setScenario('server-error', { times: 1 });
      const failed = await errorOf(connector.pull(account('id'), null, 10));
      expect(failed.code).toBe(ConnectorErrorCode.Temporary);
      expect(failed.details.retryAfterMs).toBeUndefined();
      // Down for maintenance with a time to come back: Temporary, not asked again before it.
      fake.setScenario('unavailable', { times: 1 });
      const unavailable = await errorOf(connector.pull(account('id'), null, 10));
      expect(unavailable.code).toBe(ConnectorErrorCode.Temporary);
      expect(unavailable.details.retryAfterMs).toBe(30_000);

      fake.slowMs = 1500;
      fake.setScenario('slow', { times: 1 });
      expect((await errorOf(connector.pull(account('id', { timeoutMs: 200 }), null, 10))).code).toBe(
        ConnectorErrorCode.Temporary,
      );

      const noToken = { ...account('id'), secrets: {} };
      expect((await errorOf(connector.pull(noToken, null, 10))).code).toBe(ConnectorErrorCode.AuthFailed);

      expect((await connector.pull(account('id'), null, 10)).items).toHaveLength(1);
    });

    it('maps a body that is not JSON, or has no array at itemsPath, to InvalidPayload', async () => {
      fake.addItem();
      fake.setScenario('broken-json', { times: 1 });
      const broken = await errorOf(connector.pull(account('id'), null, 10));
      expect(broken.code).toBe(ConnectorErrorCode.InvalidPayload);

      const wrongPath = await errorOf(connector.pull(account('id', { itemsPath: 'data.appeals' }), null, 10));
      expect(wrongPath.code).toBe(ConnectorErrorCode.InvalidPayload);
      expect(wrongPath.message).toContain('data.appeals');
    });

    it('refuses an account without a usable field map', async () => {
      const error = await errorOf(connector.check(account('id', { fieldMap: { externalId: 'id' } })));
      expect(error.code).toBe(ConnectorErrorCode.AuthFailed);
      expect(error.details.fields).toMatchObject({
        'fieldMap.text': '«Поле текста» (fieldMap.text): не задан путь к полю',
        'fieldMap.createdAt': '«Поле даты» (fieldMap.createdAt): не задан путь к полю',
      });
      expect(fake.requests).toHaveLength(0);
    });

    it('has no outbound path of its own', async () => {
      const error = await errorOf(connector.send());
      expect(error.code).toBe(ConnectorErrorCode.NotFound);
    });
  });

  it('follows no redirect: a site sending the feed elsewhere is a setting to fix, the other host never asked', async () => {
    const redirecting = createServer((req, res) => {
      res.writeHead(302, { location: `${fake.url}${req.url?.slice(req.url.indexOf('?')) ?? ''}` }).end();
    });
    await new Promise<void>((resolve) => redirecting.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = redirecting.address() as AddressInfo;
      const error = await errorOf(
        connector.pull(account('id', { url: `http://127.0.0.1:${port}/feed` }), null, 10),
      );
      expect(error.code).toBe(ConnectorErrorCode.AuthFailed);
      expect(error.details.status).toBe(302);
      expect(fake.requests).toEqual([]);
    } finally {
      await new Promise<void>((resolve) => redirecting.close(() => resolve()));
    }
  });
});
