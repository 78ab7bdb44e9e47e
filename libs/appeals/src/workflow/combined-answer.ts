/** One organisation's sent answer, as it goes into the message to the citizen. */
export interface AnswerForCitizen {
  /** The organisation's full name: the citizen reads who answered. */
  organisation: string;
  text: string;
}

/**
 * The text of the message that brings the citizen one or several answers. A single answer goes as written
 * (what the citizen always got); several (an organisation that answers combined) go one after another, each
 * under the name of the organisation that gave it, in the order they were sent.
 */
export function answerMessageText(answers: readonly AnswerForCitizen[]): string {
  if (answers.length === 0) throw new Error('a message to the citizen needs at least one answer');
  if (answers.length === 1) return answers[0].text;
  const sections = answers.map((a) => `${a.organisation}:\n${a.text.trim()}`);
  return [`По вашему обращению ответили организации (${answers.length}).`, ...sections].join('\n\n');
}
