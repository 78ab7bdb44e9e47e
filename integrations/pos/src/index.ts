export * from './pos.connector';
export {
  type PosCursor,
  type PosEvent,
  type PosMessage,
  type PosRating,
  type PosRubric,
  POS_PATHS,
  IDEMPOTENCY_HEADER as POS_IDEMPOTENCY_HEADER,
} from './pos-wire';
