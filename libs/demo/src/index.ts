export * from './demo-organisations';
export * from './demo-topics';
export * from './demo-geography';
export * from './demo-appeals';
export { APPEAL_SCENARIOS, type AppealScenario } from './demo-appeal-scenarios';
export { mulberry32, DemoRandom } from './demo-random';
export * from './seed';
export * from './demo-knowledge';
