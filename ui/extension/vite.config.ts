import { defineConfig } from 'vite';
import type { UserConfig } from 'vite';
import { adsTokens } from '../build/ads-tokens.ts';

// The browser extension, built by scripts/build-extension into its `--outDir` in three
// passes, one per `--mode`: `pages` (the options page and the picker frame, ES
// modules), then `content` and `background`, each one classic script with nothing to
// import, since registered content scripts and Firefox's background scripts cannot be
// modules. Fixed file names: the manifest names them.
const here = (path: string) => new URL(path, import.meta.url).pathname;

const classic = (name: string): UserConfig => ({
  build: {
    emptyOutDir: false,
    target: 'es2022',
    lib: { entry: here(`src/${name}.ts`), formats: ['iife'], name: `postroom_${name}`, fileName: () => `${name}.js` },
  },
});

export default defineConfig(({ mode }) => {
  if (mode === 'content' || mode === 'background') return classic(mode);
  return {
    root: here('.'),
    plugins: [adsTokens()],
    oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
    base: './',
    build: {
      emptyOutDir: true,
      target: 'es2022',
      modulePreload: false,
      assetsInlineLimit: 0,
      rollupOptions: {
        input: { options: here('options.html'), picker: here('picker.html') },
        output: {
          entryFileNames: 'assets/[name].js',
          chunkFileNames: 'assets/shared.js',
          assetFileNames: 'assets/shared[extname]',
        },
      },
    },
  };
});
