// Validates manifest.yml with the Forge CLI's own validator (@forge/manifest), which runs
// offline: `forge lint` itself refuses to run without an Atlassian login. Then checks what
// the validator cannot: every module with a page names a resource whose folder holds an
// index.html, and these modules are exactly the ones the Jira sandbox's Forge emulation
// hosts (crates/jira-sandbox/src/forge/custom_ui.rs), so a module added to one is added to
// the other. Exits non-zero and prints each error when the manifest is not right.
'use strict';

const { existsSync, readFileSync } = require('node:fs');
const { join } = require('node:path');
const { validate } = require('@forge/manifest');
const YAML = require('yaml');

const SANDBOX = join(__dirname, '../../crates/jira-sandbox/src/forge/custom_ui.rs');

/** The `(key, resource)` pairs of the manifest's modules that show a page. */
function pages(manifest) {
  const found = [];
  for (const [type, modules] of Object.entries(manifest.modules ?? {})) {
    for (const module of Array.isArray(modules) ? modules : []) {
      if (module.resource) found.push({ type, key: module.key, resource: module.resource });
    }
  }
  return found;
}

/** The problems of the manifest's pages against its resources and the sandbox. */
function pageProblems() {
  const manifest = YAML.parse(readFileSync('manifest.yml', 'utf8'));
  const resources = new Map((manifest.resources ?? []).map((r) => [r.key, r.path]));
  const sandbox = readFileSync(SANDBOX, 'utf8');
  const problems = [];
  for (const page of pages(manifest)) {
    const path = resources.get(page.resource);
    if (!path) problems.push(`${page.type} ${page.key}: no resource ${page.resource}`);
    else if (!existsSync(join(path, 'index.html'))) problems.push(`${page.type} ${page.key}: ${path}/index.html is missing`);
    if (!sandbox.includes(`"${page.key}"`)) problems.push(`${page.type} ${page.key}: the sandbox's Forge emulation does not host it`);
  }
  return problems;
}

validate(false, 'manifest.yml').then(
  (result) => {
    for (const e of result.errors ?? []) {
      console.error(`manifest.yml:${e.line ?? '?'}:${e.column ?? '?'}: ${e.message}`);
    }
    const problems = result.success ? pageProblems() : [];
    for (const p of problems) console.error(`manifest.yml: ${p}`);
    if (!result.success || problems.length > 0) {
      process.exit(1);
    }
    console.log('manifest.yml is a valid Forge manifest, and its pages are in place and in the sandbox');
  },
  (error) => {
    console.error(`cannot validate manifest.yml: ${error}`);
    process.exit(1);
  },
);
