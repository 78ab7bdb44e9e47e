export * from './workflow-error';
export * from './answer-template';
export * from './appeal-workflow.service';
