import { interpretPayload, keyboardJson, payloadOf, randomIdFor, ratingChoices } from './vk-keyboard';

describe('randomIdFor', () => {
  it('is deterministic, a signed 32-bit integer, never 0, and differs between messages and parts', () => {
    const a = randomIdFor('6f0c1a3e-0000-4000-8000-000000000001');
    expect(randomIdFor('6f0c1a3e-0000-4000-8000-000000000001')).toBe(a);
    expect(Number.isInteger(a) && a >= -(2 ** 31) && a < 2 ** 31 && a !== 0).toBe(true);
    expect(randomIdFor('6f0c1a3e-0000-4000-8000-000000000002')).not.toBe(a);
    expect(randomIdFor('6f0c1a3e-0000-4000-8000-000000000001', 1)).not.toBe(a);
  });
});

describe('ratingChoices and keyboardJson', () => {
  it('builds an inline keyboard whose payloads come back as ratings', () => {
    const keyboard = JSON.parse(keyboardJson(ratingChoices('01-25/123'))) as {
      inline: boolean;
      buttons: { action: { type: string; label: string; payload: string }; color: string }[][];
    };
    expect(keyboard.inline).toBe(true);
    const flat = keyboard.buttons.flat();
    expect(flat.map((b) => b.action.label)).toEqual([
      'Ответ получен',
      'Ответа нет',
      'Удовлетворён',
      'Частично удовлетворён',
      'Не удовлетворён',
    ]);
    expect(flat.every((b) => b.action.type === 'text' && b.action.payload.length <= 255)).toBe(true);
    expect(flat.map((b) => b.color)).toEqual(['positive', 'negative', 'positive', 'secondary', 'negative']);
    expect(flat.map((b) => interpretPayload(b.action.payload))).toEqual([
      { kind: 'rating', registrationNumber: '01-25/123', answered: true, satisfaction: undefined },
      { kind: 'rating', registrationNumber: '01-25/123', answered: false, satisfaction: undefined },
      { kind: 'rating', registrationNumber: '01-25/123', answered: undefined, satisfaction: 'satisfied' },
      { kind: 'rating', registrationNumber: '01-25/123', answered: undefined, satisfaction: 'partially' },
      { kind: 'rating', registrationNumber: '01-25/123', answered: undefined, satisfaction: 'not-satisfied' },
    ]);
  });

  it('wraps plain choice ids so they come back unchanged', () => {
    expect(payloadOf('consent')).toBe('{"button":"consent"}');
    expect(interpretPayload(payloadOf('consent'))).toEqual({ kind: 'button', value: 'consent', ours: true });
    expect(payloadOf('{"a":1}')).toBe('{"a":1}');
    expect(interpretPayload('{"a":1}')).toEqual({ kind: 'button', value: '{"a":1}' });
    // A relay that decodes the payload's JSON: an array or an object comes back as its JSON, not «[object Object]».
    expect(interpretPayload([{ name: 'sendMainScreenVillage' }, 2])).toEqual({
      kind: 'button',
      value: '[{"name":"sendMainScreenVillage"},2]',
    });
    expect(interpretPayload({ button: { id: 1 } })).toEqual({ kind: 'button', value: '{"button":{"id":1}}' });
    expect(interpretPayload('[{"a":1}]')).toEqual({ kind: 'button', value: '[{"a":1}]' });
  });

  it('shortens long labels and refuses keyboards VK would refuse', () => {
    const long = JSON.parse(keyboardJson([[{ id: 'x', label: 'Д'.repeat(60) }]])) as {
      buttons: { action: { label: string } }[][];
    };
    expect(long.buttons[0][0].action.label).toHaveLength(40);
    const tooMany = Array.from({ length: 7 }, (_, i) => [{ id: `b${i}`, label: `${i}` }]);
    expect(() => keyboardJson(tooMany)).toThrow(expect.objectContaining({ code: 'InvalidPayload' }));
    expect(() => keyboardJson([[{ id: 'x'.repeat(300), label: 'x' }]])).toThrow(
      expect.objectContaining({ code: 'InvalidPayload' }),
    );
  });
});
