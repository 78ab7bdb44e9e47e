import { posChannelEvents, posRequisites } from './pos-history';

// The features the ПОС connector puts on an item (integrations/pos toInboundItem) for a real-shape appeal response.
const features: Record<string, string> = {
  'pos.status': 'TAKE_TO_WORK',
  'pos.statusText': 'Взято в работу',
  'pos.factId': '90817',
  'pos.warnings': JSON.stringify(['Заявитель указал неполный адрес']),
  'pos.history': JSON.stringify([
    { status: 'MODERATION_NEW', statusText: 'Сообщение на модерации', createdAt: '2026-11-30T04:12:09.417Z' },
    {
      status: 'TAKE_TO_WORK',
      statusText: 'Взято в работу',
      createdAt: '2026-11-30T06:02:17.930Z',
      createdBy: 'Кравцова Дарья Олеговна',
      answer: { answerType: 'INTERMEDIATE', comment: 'Передано в управляющую компанию для проверки' },
    },
  ]),
  'pos.organisation.inn': '5406328939',
  'pos.organisation.kpp': '540601001',
  'pos.organisation.ogrn': '1055406226237',
  'pos.organisation.oktmo': '50701000',
  'pos.organisation.address': '630011, г. Новосибирск, Красный проспект, 18',
};

describe('ПОС history on the timeline', () => {
  it('makes one status event and one event per history entry, each with its key', () => {
    expect(posChannelEvents(features)).toEqual([
      {
        type: 'pos-status',
        key: 'received',
        data: {
          status: 'TAKE_TO_WORK',
          statusText: 'Взято в работу',
          factId: '90817',
          warnings: ['Заявитель указал неполный адрес'],
        },
      },
      {
        type: 'pos-history',
        key: '0',
        data: {
          status: 'MODERATION_NEW',
          statusText: 'Сообщение на модерации',
          at: '2026-11-30T04:12:09.417Z',
        },
      },
      {
        type: 'pos-history',
        key: '1',
        data: {
          status: 'TAKE_TO_WORK',
          statusText: 'Взято в работу',
          at: '2026-11-30T06:02:17.930Z',
          by: 'Кравцова Дарья Олеговна',
          answer: { answerType: 'INTERMEDIATE', comment: 'Передано в управляющую компанию для проверки' },
        },
      },
    ]);
  });

  it('yields nothing for an item without ПОС fields, and skips a history that is not JSON', () => {
    expect(posChannelEvents({})).toEqual([]);
    expect(posChannelEvents({ 'pos.history': '[{"status":' })).toEqual([]);
  });

  it("reads the organisation's requisites, or none", () => {
    expect(posRequisites(features)).toEqual({
      inn: '5406328939',
      kpp: '540601001',
      ogrn: '1055406226237',
      oktmo: '50701000',
      address: '630011, г. Новосибирск, Красный проспект, 18',
    });
    expect(posRequisites({ 'pos.status': 'TAKE_TO_WORK' })).toBeUndefined();
  });
});
