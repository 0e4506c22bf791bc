import { defineConfig } from 'vite';
import { pageConfig } from './build/page-config.ts';

// The Forge app's issue view (issue/index.html → dist/issue/): the picker alone, a bundle of
// its own so that a tab on every issue loads no console.
export default defineConfig({ ...pageConfig('issue', '../dist/issue'), root: 'issue' });
