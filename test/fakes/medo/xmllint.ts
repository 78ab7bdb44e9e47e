import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The schema shipped with the spec (windows-1251 encoded; no imports or includes). */
export const IEDMS_XSD = resolve(__dirname, '../../../../shared/spec/medo/IEDMS-2.6.xsd');

/**
 * Validates XML against IEDMS-2.6.xsd with libxml2's xmllint (Debian package libxml2-utils). Throws
 * when xmllint is missing, so a machine without it fails the test instead of skipping validation.
 */
export function validateAgainstXsd(xml: string | Buffer): { valid: boolean; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'medo-xsd-'));
  try {
    const file = join(dir, 'passport.xml');
    writeFileSync(file, xml);
    const run = spawnSync('xmllint', ['--noout', '--nonet', '--schema', IEDMS_XSD, file], {
      encoding: 'utf8',
    });
    if (run.error) {
      throw new Error(`xmllint is not available (apt-get install -y libxml2-utils): ${run.error.message}`);
    }
    return { valid: run.status === 0, output: `${run.stdout}${run.stderr}`.trim() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
