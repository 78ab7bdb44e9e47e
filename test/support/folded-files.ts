/**
 * For a test file that folds several small files into one, so that jest loads their modules once (2.5–3 s of
 * CPU for each file that loads the api's and the worker's, about 1 s for the database's alone) instead of once
 * per file: called at the top of each folded describe block, it gives the environment back as it was before the
 * block when the block ends (startTestStack and createTestContext write theirs into process.env), so each block
 * starts from the environment it had as a file of its own. Each block still starts its own stack or context on
 * its own database.
 */
export function restoreEnvironmentAfterBlock(): void {
  let before: NodeJS.ProcessEnv = {};
  beforeAll(() => {
    before = { ...process.env };
  });
  afterAll(() => {
    for (const name of Object.keys(process.env)) if (!(name in before)) delete process.env[name];
    Object.assign(process.env, before);
  });
}
