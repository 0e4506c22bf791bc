import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    // The journeys run in Node, and pass functions to the browser page.
    files: ['tests/**/*.mjs'],
    languageOptions: {
      globals: Object.fromEntries(
        ['process', 'Buffer', 'URL', 'fetch', 'window', 'document', 'performance', 'navigator', 'chrome'].map((name) => [name, 'readonly']),
      ),
    },
  },
  {
    rules: {
      // Markup is built by Preact, which sets text as text; raw HTML would bypass that.
      'no-restricted-syntax': [
        'error',
        {
          selector: "JSXAttribute[name.name='dangerouslySetInnerHTML']",
          message: 'mail content is shown as text, or in the sandboxed frame only',
        },
        {
          selector: "AssignmentExpression[left.property.name='innerHTML']",
          message: 'set textContent, never innerHTML',
        },
      ],
    },
  },
);
