export * from './classifier';
export * from './csv';
export * from './dataset';
export * from './features';
export * from './metrics';
export { stemRussian, CachedStemmer } from './stemmer';
export { tokenize, foldCase } from './text';
export { type LinearLoss, type ClassWeighting, type LinearOptions, DEFAULT_LINEAR_OPTIONS } from './linear';
