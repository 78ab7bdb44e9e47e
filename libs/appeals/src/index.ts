export * from './appeal-status';
export * from './appeal.entities';
export * from './access-code';
export * from './registration-number';
export * from './appeal-registrar.service';
export * from './appeal-queries.service';
export * from './appeals.module';
export * from './repositories';
export * from './workflow';
export * from './appeal-event-feed.service';
export * from './answer-templates.service';
export * from './staff-notifications.service';
export * from './public-answer-links.service';
export * from './applicant-texts';
/** The same texts as one object: the bot's text scan reads each of them (libs/bot texts.spec.ts). */
export * as applicantTexts from './applicant-texts';
