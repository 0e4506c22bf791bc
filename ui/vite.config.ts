import { defineConfig } from 'vite';
import { adsTokens } from './build/ads-tokens.ts';

// The output is committed (dist/) and embedded in the postroom binary, so its file names are
// fixed: the server names them, and a rebuild from the same sources and lock file gives the
// same bytes, which is what CI compares.
export default defineConfig({
  plugins: [adsTokens()],
  oxc: {
    jsx: { runtime: 'automatic', importSource: 'preact' },
  },
  // Relative asset paths: the same files are served by postroom at `/` and `/agent`, and by
  // Forge from wherever it keeps the app's resources.
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    modulePreload: false,
    cssCodeSplit: false,
    assetsInlineLimit: 0,
    reportCompressedSize: true,
    rollupOptions: {
      output: {
        entryFileNames: 'assets/console.js',
        // Only chunks: Forge's bridge, loaded inside Jira alone (see src/transport.ts).
        chunkFileNames: 'assets/forge-[name].js',
        assetFileNames: 'assets/console[extname]',
      },
    },
  },
});
