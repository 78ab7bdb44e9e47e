import { missingMaterial, missingMaterialMessage } from './material';

/** Says plainly what is missing, and stops before any test runs, instead of failing file by file. */
export default function globalSetup(): void {
  const missing = missingMaterial();
  if (missing.length === 0) return;
  process.stderr.write(`\n${missingMaterialMessage(missing)}\n\n`);
  process.exit(2);
}
