import { wordShare } from './appeals.repository';

describe('wordShare', () => {
  const shares = new Map([
    ['прош', 0.5],
    ['дорог', 0.1],
    ["д'арк", 0.2],
  ]);

  it('is the share of the rarest word the query ANDs', () => {
    expect(wordShare("'прош'", shares)).toBe(0.5);
    expect(wordShare("'прош' & 'дорог'", shares)).toBe(0.1);
    expect(wordShare("'прош' <-> 'дорог'", shares)).toBe(0.1);
    expect(wordShare("'д''арк'", shares)).toBe(0.2);
  });

  it('takes a word the statistics do not list, an OR or a NOT as one appeal in 40', () => {
    expect(wordShare("'прош' & 'грузовик'", shares)).toBe(1 / 40);
    expect(wordShare("'прош' | 'дорог'", shares)).toBe(1 / 40);
    expect(wordShare("'прош' & !'дорог'", shares)).toBe(1 / 40);
    expect(wordShare('', shares)).toBe(1 / 40);
  });

  it('takes a word the statistics do not list at the share given (none, for the last query), not an OR or a NOT', () => {
    expect(wordShare("'прош' & 'грузовик'", shares, 0)).toBe(0);
    expect(wordShare("'прош'", shares, 0)).toBe(0.5);
    expect(wordShare("'прош' | 'грузовик'", shares, 0)).toBe(1 / 40);
  });
});
