import { DomainError } from './domain-error';
import { foundById } from './ids';

const ID = '3f2b8c1e-4a5d-4e6f-9a7b-1c2d3e4f5a6b';

describe('foundById', () => {
  it('returns what the loader finds for a UUID', async () => {
    await expect(foundById(ID, async (id) => ({ id }), 'Нет')).resolves.toEqual({ id: ID });
  });

  it('answers a missing row with not-found, or with the error given', async () => {
    await expect(foundById(ID, async () => undefined, 'Тема не найдена')).rejects.toMatchObject({
      code: 'not-found',
      message: 'Тема не найдена',
    });
    const own = new Error('rule missing');
    await expect(
      foundById(
        ID,
        async () => undefined,
        () => own,
      ),
    ).rejects.toBe(own);
  });

  it('does not look up an id that is not a UUID, and answers it as missing', async () => {
    const load = jest.fn(async () => ({ id: 'x' }));
    await expect(foundById("1' OR '1'='1", load, 'Нет')).rejects.toBeInstanceOf(DomainError);
    expect(load).not.toHaveBeenCalled();
  });
});
