export * from './website-form.connector';
export { parsePhoneRu } from './phone-ru';
