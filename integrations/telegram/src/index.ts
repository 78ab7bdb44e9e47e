export * from './telegram.connector';
export * from './callback-data';
export { mapUpdate, normalisePhone, ALLOWED_UPDATES, type MappedUpdate } from './update-mapper';
export { DEFAULT_API_ROOT, DEFAULT_SETTINGS, settingsOf, type TelegramSettings } from './account';
