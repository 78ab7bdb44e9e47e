import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The material the conformance suite checks against, kept outside the repository: the project's shared folder
 * (`../shared` beside the checkout, or SHARED_DIR) with real captured payloads and the official МЭДО schema.
 */
export const SHARED_DIR = resolve(process.env.SHARED_DIR ?? resolve(__dirname, '../../../shared'));

export const MATERIAL = {
  telegram: join(SHARED_DIR, 'samples/telegram'),
  vk: join(SHARED_DIR, 'samples/vk'),
  ok: join(SHARED_DIR, 'samples/ok'),
  email: join(SHARED_DIR, 'samples/email'),
  medoXsd: join(SHARED_DIR, 'spec/medo/IEDMS-2.6.xsd'),
};

const WHAT: Record<keyof typeof MATERIAL, string> = {
  telegram: "Telegram's webhook-guide Update examples",
  vk: 'VK Callback API / Bots Long Poll event bodies',
  ok: "OK Bot API's documented webhook examples",
  email: 'real KOI8-R and windows-1251 letters',
  medoXsd: 'the official МЭДО schema IEDMS-2.6.xsd',
};

/** What is missing, one line each; empty when everything is there. */
export function missingMaterial(): string[] {
  return (Object.keys(MATERIAL) as (keyof typeof MATERIAL)[])
    .filter((key) => !existsSync(MATERIAL[key]))
    .map((key) => `  ${MATERIAL[key]}  (${WHAT[key]})`);
}

export function missingMaterialMessage(missing: string[]): string {
  return [
    'The conformance suite (npm run test:conformance) checks our parsers, fixtures and МЭДО output against',
    'material kept outside the repository, and it is not here:',
    ...missing,
    '',
    `It looked in ${SHARED_DIR} (${process.env.SHARED_DIR ? 'SHARED_DIR' : 'the shared folder beside the checkout, ../shared'}).`,
    'Put it there, or point SHARED_DIR at a copy, e.g. SHARED_DIR=/path/to/shared npm run test:conformance.',
    'The everyday suite, npm test, needs none of it.',
  ].join('\n');
}
