// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

// Channel SDKs and wire-format parsers live only inside their own integrations/<channel>/ folder.
const channelSdks = [
  { name: 'telegraf', message: 'Telegram SDK belongs in integrations/telegram/' },
  { name: 'vk-io', message: 'VK SDK belongs in integrations/vk/' },
  { name: 'imapflow', message: 'IMAP client belongs in integrations/email/' },
  { name: 'mailparser', message: 'MIME parser belongs in integrations/email/' },
  { name: 'nodemailer', message: 'SMTP client belongs in integrations/email/' },
  { name: 'fast-xml-parser', message: 'XML parsing belongs in integrations/medo/' },
];

export default tseslint.config(
  {
    ignores: ['dist/**', 'node_modules/**', '.data/**', 'coverage/**', 'apps/web/dist/**', 'test-output/**'],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: {
      globals: { console: 'readonly', process: 'readonly', Buffer: 'readonly' },
      // Nest injects by the constructor parameters' runtime types: those imports are values, not types.
      parserOptions: { emitDecoratorMetadata: true, experimentalDecorators: true },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { disallowTypeAnnotations: false, fixStyle: 'inline-type-imports' },
      ],
      'no-restricted-imports': ['error', { paths: channelSdks }],
    },
  },
  {
    // The connectors themselves: SDKs allowed, but no domain libraries (they know channels, not appeals).
    files: ['integrations/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@inbox/*', '!@inbox/integrations', '@inbox/integrations/*/**', '!@inbox/common'],
              message:
                'Connectors know channels, not appeals: import only @inbox/integrations/contract and @inbox/common.',
            },
          ],
        },
      ],
    },
  },
  {
    // The staff workspace (apps/web) runs in the browser: React components in .tsx.
    files: ['apps/web/**/*.{ts,tsx}'],
    languageOptions: {
      parserOptions: { ecmaFeatures: { jsx: true } },
      globals: {
        window: 'readonly',
        document: 'readonly',
        navigator: 'readonly',
        sessionStorage: 'readonly',
        fetch: 'readonly',
        URL: 'readonly',
        URLSearchParams: 'readonly',
        EventSource: 'readonly',
        Blob: 'readonly',
        TextEncoder: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
      },
    },
  },
  {
    files: ['**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', __dirname: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.spec.ts', 'test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
