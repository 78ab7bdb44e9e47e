import { appealInput, bucketOf, promotionDecision, splitHeldBack, type TrainingRow } from './appeal-input';

describe('model inputs and training slices', () => {
  it('gives the model the subject and text plus channel, channel category, object type and territory', () => {
    expect(
      appealInput({
        subject: 'Яма',
        text: 'Яма на дороге',
        channel: 'pos',
        channelCategory: { id: '101', subcategoryId: '2002' },
        territoryCode: '51604151',
        features: { objectType: 'Дорога', demoTopic: 'roads' },
      }),
    ).toEqual({
      text: 'Яма.\nЯма на дороге',
      features: { channel: 'pos', channelCategory: 'pos:2002', objectType: 'дорога', territory: '51604' },
    });
    expect(appealInput({ text: 'Текст', channel: 'vk' })).toEqual({
      text: 'Текст',
      features: { channel: 'vk' },
    });
  });

  it('holds back a stable slice by key, never a correction, and trains corrections twice', () => {
    const rows: TrainingRow[] = Array.from({ length: 400 }, (_, i) => ({
      key: `appeal:${i}`,
      text: `t${i}`,
      features: {},
      label: i % 2 ? 'a' : 'b',
      corrected: i < 20,
    }));
    const first = splitHeldBack(rows, 15);
    const second = splitHeldBack(rows, 15);
    expect(second.heldBack).toEqual(first.heldBack);
    expect(first.heldBack.length).toBeGreaterThan(30);
    expect(first.heldBack.length).toBeLessThan(90);
    const corrected = new Set(rows.filter((r) => r.corrected).map((r) => r.text));
    expect(first.heldBack.some((e) => corrected.has(e.text))).toBe(false);
    expect(first.train.filter((e) => e.text === 't0')).toHaveLength(2);
    expect(first.train.length + first.heldBack.length).toBe(420);
    expect(bucketOf('appeal:1')).toBe(bucketOf('appeal:1'));
  });

  it('promotes only a candidate that scores no worse on the held-back slice', () => {
    const s = (accuracy: number, macroF1: number) => ({ rows: 50, accuracy, macroF1 });
    expect(promotionDecision(s(0.5, 0.5), undefined, false).promote).toBe(true);
    expect(promotionDecision(s(0.9, 0.8), s(0.9, 0.8), true).promote).toBe(true);
    expect(promotionDecision(s(0.92, 0.85), s(0.9, 0.8), true).promote).toBe(true);
    expect(promotionDecision(s(0.88, 0.85), s(0.9, 0.8), true)).toEqual({
      promote: false,
      reason: expect.stringMatching(/хуже/),
    });
    expect(promotionDecision(s(0.9, 0.79), s(0.9, 0.8), true).promote).toBe(false);
    expect(promotionDecision(undefined, undefined, true).promote).toBe(false);
  });
});
