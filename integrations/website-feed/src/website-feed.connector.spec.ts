import { Channel, ConnectorError, ConnectorErrorCode } from '@inbox/integrations/contract';
import { compareIds, getPath, WebsiteFeedConnector } from './website-feed.connector';

describe('website feed helpers', () => {
  it('follows dot paths through objects and arrays', () => {
    const json = { data: { items: [{ author: { contacts: { email: 'a@example.ru' } } }] } };
    expect(getPath(json, 'data.items.0.author.contacts.email')).toBe('a@example.ru');
    expect(getPath(json, 'data.missing.deeper')).toBeUndefined();
    expect(getPath('text', 'length.x')).toBeUndefined();
  });

  it('compares numeric ids as numbers and others as strings', () => {
    expect(compareIds('9', '10')).toBe(-1);
    expect(compareIds('10', '10')).toBe(0);
    expect(compareIds('b-2', 'a-9')).toBe(1);
  });
});

describe('website feed account settings', () => {
  const connector = new WebsiteFeedConnector();

  it('names every missing setting before touching the network', async () => {
    const attempt = connector.pull(
      {
        id: 'acc',
        channel: Channel.Website,
        settings: { url: 'ftp://site', cursorField: 'date' },
        secrets: {},
      },
      null,
      10,
    );
    await expect(attempt).rejects.toBeInstanceOf(ConnectorError);
    const error = (await attempt.catch((e: unknown) => e)) as ConnectorError;
    expect(error.code).toBe(ConnectorErrorCode.AuthFailed);
    expect(Object.keys(error.details.fields ?? {}).sort()).toEqual(
      [
        'cursorField',
        'cursorParam',
        'fieldMap.createdAt',
        'fieldMap.externalId',
        'fieldMap.text',
        'itemsPath',
        'pageSizeParam',
        'url',
      ].sort(),
    );
    // The administrator reads it as is (the account's last error, the worker's log): in Russian, each setting named.
    expect(error.message).toMatch(/^Лента сайта не настроена: /);
    for (const key of Object.keys(error.details.fields ?? {})) expect(error.message).toContain(`(${key})`);
    expect(error.message).toContain('«Путь к списку обращений» (itemsPath)');
    expect(error.message).not.toMatch(/required|path to/);
  });

  it('names the one setting missing from an otherwise complete account', async () => {
    const error = (await connector
      .pull(
        {
          id: 'acc',
          channel: Channel.Website,
          settings: {
            url: 'https://site.example/feed',
            cursorField: 'id',
            itemsPath: 'data.items',
            fieldMap: { externalId: 'id', createdAt: 'created' },
            pageSizeParam: 'limit',
            cursorParam: 'after',
          },
          secrets: {},
        },
        null,
        10,
      )
      .catch((e: unknown) => e)) as ConnectorError;
    expect(error.message).toBe(
      'Лента сайта не настроена: «Поле текста» (fieldMap.text): не задан путь к полю',
    );
  });
});
