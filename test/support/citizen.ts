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
