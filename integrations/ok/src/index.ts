export { OkConnector, OK_SECRET_PARAM } from './ok.connector';
export { parseOkWebhook, chatThreadKey } from './ok-webhook';
export { okApiError, OkErrorCode } from './ok-api';
export { okSettings, DEFAULT_API_BASE_URL, type OkSettings } from './ok-settings';
