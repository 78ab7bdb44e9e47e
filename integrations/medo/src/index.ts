export * from './medo.connector';
export {
  MEDO_REFUSAL_REASONS,
  type MedoRefusalReason,
  isRefusalReason,
  buildDocumentPassport,
  buildAcknowledgmentPassport,
  buildNotificationPassport,
  type DocumentPassportInput,
  type AcknowledgmentPassportInput,
  type NotificationPassportInput,
  type MedoParty,
  type MedoLinkType,
  type MedoFileGroup,
  XDMS_NAMESPACE,
  OUTPUT_VERSION,
} from './passport-writer';
export { type MedoSettings, DEFAULT_LIMITS, settingsOf } from './settings';
export { type MedoRejectCode } from './errors';
export { type MedoReplyAddress } from './inbound';
export { parsePassport, SUPPORTED_VERSIONS, MESSAGE_TYPES, type MedoMessage } from './passport';
