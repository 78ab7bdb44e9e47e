import { type DataSource } from 'typeorm';

/**
 * One registered appeal written straight into the tables (its applicant and inbound item with it), at 'cur',
 * for tests of what the triggers maintain (count deltas, clock queues) rather than of registration.
 */
export async function insertBareAppeal(
  ds: DataSource,
  externalId: string,
  registrationNumber: string,
): Promise<void> {
  await ds.query(
    `WITH person AS (INSERT INTO applicants (channel, surname) VALUES ('operator', 'Иванова') RETURNING id),
          item AS (INSERT INTO inbound_items (channel, external_id, received_at, payload)
                   VALUES ('operator', $1, now(), '{}') RETURNING id)
     INSERT INTO appeals (registration_number, registered_at, received_at, regime, channel, external_id,
            inbound_item_id, applicant_id, text, status, organisation_id, time_zone, registration_due_at,
            redirect_due_at, answer_due_date, answer_due_at, calendar_version, access_code_hash)
     SELECT $2, now(), now(), 'appeal', 'operator', $1, item.id, person.id, 'Обращение',
            'registered', (SELECT id FROM organisations WHERE code = 'cur'), 'Asia/Novosibirsk', now(), now(),
            current_date, now() + interval '30 days', 'test', 'x'
       FROM person, item`,
    [externalId, registrationNumber],
  );
}

/** What a call is about, as line 1 types it on registration (POST /api/v1/appeals). */
export interface CallAbout {
  subject: string;
  text: string;
  topicId?: string;
  address?: string;
  email?: string;
}

/**
 * The body of POST /api/v1/appeals for a call taken by line 1: the caller as «Фамилия Имя Отчество», their phone,
 * and what they called about.
 */
export function phoneAppeal(
  caller: string,
  phone: string,
  about: CallAbout,
): Record<string, string | undefined> {
  const [surname, firstName, patronymic] = caller.split(' ');
  return { medium: 'phone', surname, firstName, patronymic, phone, ...about };
}
