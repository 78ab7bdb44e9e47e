import { type Page } from 'playwright-core';

/**
 * The citizen's status endpoints as the status page calls them: the access code always in the body of a POST,
 * never in the address.
 */
const postJson = (url: string, body: Record<string, unknown>) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

/** The appeal's status by its number and access code. */
export const publicStatus = (baseUrl: string, registrationNumber: string, code: string) =>
  postJson(`${baseUrl}/api/v1/public/appeals/${registrationNumber}/status`, { code });

/** A file of an answer: `url` as the status gives it. */
export const publicAnswerFile = (baseUrl: string, url: string, code: string) =>
  postJson(`${baseUrl}${url}`, { code });

/** The applicant's rating of an answer (the latest, unless `answerId`). */
export const publicRating = (
  baseUrl: string,
  registrationNumber: string,
  code: string,
  rating: { answered: boolean; satisfaction: string; answerId?: string },
) => postJson(`${baseUrl}/api/v1/public/appeals/${registrationNumber}/rating`, { code, ...rating });

/** The appeal form filled in as a citizen with a phone only would, the consent ticked; not yet sent. */
export async function fillAppealForm(
  page: Page,
  fields: { surname: string; firstName: string; phone: string; text: string },
): Promise<void> {
  await page.getByRole('textbox', { name: 'Фамилия' }).fill(fields.surname);
  await page.getByRole('textbox', { name: 'Имя', exact: true }).fill(fields.firstName);
  await page.getByRole('textbox', { name: 'Телефон' }).fill(fields.phone);
  await page.getByRole('textbox', { name: 'Текст обращения' }).fill(fields.text);
  await page.getByRole('checkbox', { name: /согласие на обработку персональных данных/ }).check();
}
