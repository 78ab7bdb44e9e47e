export * from './website-form.connector';
