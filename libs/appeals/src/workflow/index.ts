export * from './workflow-error';
export * from './answer-template';
export * from './actor';
export * from './appeal-change';
export * from './commands';
export * from './appeal-workflow.service';
export * from './card-editor';
export { leadsAppeal, mayEscalate, mayRedirect } from './rules';
export * from './escalation-requirements';
