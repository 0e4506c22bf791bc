import type { UserConfig } from 'vite';
import { adsTokens } from './ads-tokens.ts';

/**
 * The build of one committed page bundle (`console`, `issue`). The output is committed and
 * embedded in the postroom binary, so its file names are fixed: the server names them, and a
 * rebuild from the same sources and lock file gives the same bytes, which is what CI
 * compares. Relative asset paths: the same files are served by postroom and by Forge from
 * wherever it keeps the app's resources. Forge's bridge is only ever chunks of their own
 * (`forge-*.js`), loaded inside Jira alone (see src/transport.ts).
 */
export function pageConfig(name: string, outDir: string): UserConfig {
  return {
    plugins: [adsTokens()],
    oxc: {
      jsx: { runtime: 'automatic', importSource: 'preact' },
    },
    base: './',
    build: {
      outDir,
      emptyOutDir: true,
      target: 'es2022',
      modulePreload: false,
      cssCodeSplit: false,
      assetsInlineLimit: 0,
      reportCompressedSize: true,
      rollupOptions: {
        output: {
          entryFileNames: `assets/${name}.js`,
          chunkFileNames: 'assets/forge-[name].js',
          assetFileNames: `assets/${name}[extname]`,
        },
      },
    },
  };
}
