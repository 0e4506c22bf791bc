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
        chunkFileNames: 'assets/[name].js',
        assetFileNames: 'assets/console[extname]',
      },
    },
  },
});
