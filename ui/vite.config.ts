import { defineConfig } from 'vite';
import { pageConfig } from './build/page-config.ts';

// The console (index.html → dist/), served by postroom at `/` and `/agent`, and by Forge in
// Jira's settings pages. Its build empties dist/; the issue view's (vite.issue.config.ts)
// comes after it.
export default defineConfig(pageConfig('console', 'dist'));
