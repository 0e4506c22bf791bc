/**
 * The Atlassian Design System's tokens as one static stylesheet.
 *
 * `@atlaskit/tokens` ships each theme as a JavaScript module exporting CSS text, meant to be
 * injected as a `<style>` element at run time. The console's Content-Security-Policy allows
 * no inline style, so the text is taken out here, at build time, and bundled into the
 * console's one CSS file. Which theme applies is then chosen by the `data-theme` and
 * `data-color-mode` attributes on `<html>`, exactly as in Jira.
 */
import type { Plugin } from 'vite';

const THEMES = [
  'atlassian-light',
  'atlassian-dark',
  'atlassian-spacing',
  'atlassian-typography',
  'atlassian-shape',
] as const;

const ID = 'virtual:ads-tokens.css';
const RESOLVED = `\0${ID}`;

export function adsTokens(): Plugin {
  return {
    name: 'postroom-ads-tokens',
    resolveId(id) {
      return id === ID ? RESOLVED : undefined;
    },
    async load(id) {
      if (id !== RESOLVED) return undefined;
      const parts: string[] = [];
      for (const theme of THEMES) {
        const module = (await import(
          `@atlaskit/tokens/dist/esm/artifacts/themes/${theme}.js`
        )) as { default: string };
        parts.push(`/* @atlaskit/tokens: ${theme} */\n${module.default.trim()}\n`);
      }
      return parts.join('\n');
    },
  };
}
