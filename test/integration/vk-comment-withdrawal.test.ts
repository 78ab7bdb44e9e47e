import { PersonalDataRetention } from '@inbox/retention';
import { type VkFake } from '../fakes/vk/vk-fake';
import { eventually, type TestStack } from '../support/test-stack';
import { startVkStack, type VkStack } from '../support/vk-stack';

/**
 * A citizen deleting their comment under the community's post (VK's wall_reply_delete) is noted on the appeal the
 * comment opened, as a deleted Telegram business message is: the appeal and its text stay on record (59-ФЗ). A
 * moderator of the community deleting it is not the citizen taking it back: nothing is noted. Past the retention
 * term the applicant's id is erased (kept in no form), so a deletion then is «author unknown», not another's.
 */
describe('VK comment deleted by its author (integration)', () => {
  let vk: VkStack;
  let fake: VkFake;
  let stack: TestStack;
  let url = '';

  beforeAll(async () => {
    vk = await startVkStack();
    ({ fake, stack, url } = vk);
  });
  afterAll(async () => {
    await vk?.close();
  });

  const query = (sql: string, params: unknown[] = []) =>
    stack.db.dataSource.query(sql, params) as Promise<Record<string, unknown>[]>;
  const outcome = (externalId: string) =>
    eventually(async () => {
      const [row] = await query(
        `SELECT outcome FROM inbound_events WHERE channel = 'vk' AND external_id = $1 AND outcome IS NOT NULL`,
        [externalId],
      );
      return row?.outcome as string | undefined;
    });

  it("notes the author's deletion on the appeal, and not a moderator's", async () => {
    /** A citizen's comment under post 41, registered; returns its appeal's id. */
    const commented = async (commentId: number, author: number) => {
      const comment = fake.event('wall-reply-new.json', (e) => {
        Object.assign(e.object, { id: commentId, from_id: author, date: Math.floor(Date.now() / 1000) });
      });
      expect((await fake.postCallback(url, comment)).text).toBe('ok');
      return eventually(async () => {
        const [row] = await query(
          `SELECT a.id FROM appeals a JOIN inbound_items i ON i.id = a.inbound_item_id
            WHERE i.channel = 'vk' AND i.external_id = $1`,
          [`reply:-218840017_41_${commentId}`],
        );
        return row?.id as string | undefined;
      });
    };
    const deleted = async (commentId: number, by: number) => {
      const event = fake.event('wall-reply-delete.json', (e) => {
        Object.assign(e.object, { id: commentId, deleter_id: by });
      });
      expect((await fake.postCallback(url, event)).text).toBe('ok');
      return outcome(`deleted:reply:-218840017_41_${commentId}`);
    };
    const withdrawn = async (appealId: string) =>
      (
        await query(`SELECT data FROM appeal_events WHERE appeal_id = $1 AND type = 'withdrawn'`, [appealId])
      ).map((r) => r.data);

    const removed = await commented(58, 604_117_262);
    expect(await deleted(58, 700_000_001)).toBe('deleted-by-other');
    expect(await withdrawn(removed)).toEqual([]);

    const taken = await commented(57, 604_117_261);
    expect(await deleted(57, 604_117_261)).toBe('withdrawn');
    expect(await withdrawn(taken)).toEqual([
      expect.objectContaining({ by: 'author', channel: 'vk', externalId: 'reply:-218840017_41_57' }),
    ]);
    // The appeals stay as registered.
    expect(await query(`SELECT 1 FROM appeals WHERE id IN ($1, $2)`, [removed, taken])).toHaveLength(2);

    // Closed, and erased after the retention term: the applicant's VK id is gone with the rest of the personal
    // data, so nobody can tell who deleted the comment — not «deleted by another», and nothing is noted.
    const old = await commented(56, 604_117_260);
    // Its classification pass first: under load the pass still held the row, and the sweep skips a locked row (CI,
    // 7 December: not erased).
    await eventually(async () => {
      const [row] = await query(`SELECT 1 FROM appeals WHERE id = $1 AND classification_state <> 'pending'`, [
        old,
      ]);
      return row;
    });
    await query(
      `UPDATE appeals SET status = 'closed', closed_at = now() - interval '10 years' WHERE id = $1`,
      [old],
    );
    // A sweep skips a row another transaction holds (SKIP LOCKED) and takes it next time, as the worker's next
    // sweep would: swept until erased (one sweep left it unerased twice in loaded CI runs).
    await eventually(async () => {
      await stack.worker!.get(PersonalDataRetention).sweep(new Date());
      const [row] = await query(
        `SELECT 1 FROM appeals WHERE id = $1 AND personal_data_erased_at IS NOT NULL`,
        [old],
      );
      return row;
    });
    expect(await deleted(56, 604_117_260)).toBe('author-unknown-erased');
    expect(await withdrawn(old)).toEqual([]);
    expect(
      JSON.stringify(
        await query(`SELECT * FROM applicants a JOIN appeals p ON p.applicant_id = a.id WHERE p.id = $1`, [
          old,
        ]),
      ),
    ).not.toContain('604117260');
  });
});
