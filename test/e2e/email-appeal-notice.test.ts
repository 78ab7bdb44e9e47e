import { Role } from '@inbox/access';
import { type AppealEventRecord } from '@inbox/channels';
import { EmailFeed } from '@inbox/feeds';
import { signInAs, type SignedIn } from '../factories/staff';
import { eventually, json } from '../support/test-stack';
import {
  type EmailStack,
  emailLetter,
  expectedDueDate,
  mailHeader,
  readMail,
  startEmailStack,
} from './feed-helpers';

const OURS = 'priemnaya@region.test';

/**
 * A mailbox under the 'appeal' 547-ФЗ policy (EMAIL_POLICY_547): a citizen's letter is a 59-ФЗ appeal, and its
 * sender is told by e-mail, once and in reply to the letter, the number, the term and its last day — no longer
 * nothing until the answer.
 */
describe('e-mail under the appeal policy: the registration notice (e2e)', () => {
  let email: EmailStack;
  let supervisor: SignedIn;

  beforeAll(async () => {
    email = await startEmailStack(OURS, { EMAIL_POLICY_547: 'appeal' });
    supervisor = await signInAs(email.stack.api, email.stack.baseUrl, Role.Supervisor, 'cur');
  });
  afterAll(async () => {
    await email?.close();
  });

  const to = (address: string) => email.smtp.accepted().filter((m) => m.to.includes(address));
  /** The registration notice is written by the system: an automatic letter (RFC 3834), unlike an answer. */
  const notices = (address: string) => to(address).filter((m) => mailHeader(m, 'Auto-Submitted'));

  it('tells the citizen the number, the term and the last day once, in reply to the letter', async () => {
    const { dovecot, mailbox, stack, tools } = email;
    const citizen = 'sidorov@mail.example';
    const citizenId = `appeal-1.${Date.now()}@mail.example`;
    await dovecot.deliver(
      mailbox,
      emailLetter(OURS, {
        id: citizenId,
        from: citizen,
        subject: 'Не вывозят мусор',
        body: 'Во дворе дома по ул. Садовой, 3 вторую неделю не вывозят мусор.',
      }),
    );
    expect(await tools.pull('email')).toMatchObject({ items: 1, quarantined: 0 });
    const { id, registrationNumber } = await tools.appeal('email', citizenId);
    const card = await json(fetch(`${stack.baseUrl}/api/v1/appeals/${id}`, { headers: supervisor.headers }));
    expect(card).toMatchObject({ regime: 'appeal', channel: 'email' });
    const due = expectedDueDate(card.registeredAt, 30);
    expect(card.answerDueDate).toBe(due);

    const [notice] = await eventually(async () => (notices(citizen).length ? notices(citizen) : undefined));
    expect(mailHeader(notice, 'In-Reply-To')).toBe(`<${citizenId}>`);
    expect(mailHeader(notice, 'References')).toBe(`<${citizenId}>`);
    const read = await readMail(notice, citizen);
    expect(read.subject).toBe(`Re: Не вывозят мусор [№ ${registrationNumber}]`);
    const [y, m, d] = (due as string).split('-');
    expect(read.text).toBe(
      `Обращение зарегистрировано, № ${registrationNumber}.\n` +
        `Срок рассмотрения — 30 дней со дня регистрации, ответ будет направлен не позднее ${d}.${m}.${y}.\n` +
        'Ответ придёт на этот адрес электронной почты.',
    );

    // The 'registered' event handed to the feed again (an outbox retry): nothing is queued twice.
    const [event] = (await stack.db.dataSource.query(
      `SELECT e.id::text AS id, e.appeal_id AS "appealId", e.type, e.data, e.occurred_at AS "occurredAt",
              a.channel, a.registration_number AS "registrationNumber"
         FROM appeal_events e JOIN appeals a ON a.id = e.appeal_id
        WHERE e.appeal_id = $1 AND e.type = 'registered'`,
      [id],
    )) as AppealEventRecord[];
    await stack.worker!.get(EmailFeed, { strict: false }).onRegistered([event, event]);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(notices(citizen)).toHaveLength(1);
    const queued = (await stack.db.dataSource.query(
      `SELECT count(*)::int AS n FROM outbound_messages WHERE appeal_id = $1 AND kind = 'registration-notice'`,
      [id],
    )) as { n: number }[];
    expect(queued).toEqual([{ n: 1 }]);
  });
});
