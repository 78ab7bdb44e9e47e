/**
 * The pure text classifier and the text tools around it: Russian stemming, features, one-vs-rest linear
 * models, calibration, metrics, CSV reading, phrase matching and near-duplicate similarity. No Nest, no
 * database: the CLI, the bench and the services all use it the same way.
 */
export * from './classifier';
export * from './csv';
export * from './dataset';
export * from './features';
export * from './metrics';
export { stemRussian, CachedStemmer } from './stemmer';
export { tokenize, foldCase } from './text';
export {
  type LinearLoss,
  type ClassWeighting,
  type LinearOptions,
  CLASS_WEIGHT_CANDIDATES,
  CLASS_WEIGHTINGS,
  DEFAULT_LINEAR_OPTIONS,
  seededRandom,
} from './linear';
export * from './phrases';
export * from './similarity';
export * from './train-off-thread';
