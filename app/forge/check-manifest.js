// Validates manifest.yml with the Forge CLI's own validator (@forge/manifest), which runs
// offline: `forge lint` itself refuses to run without an Atlassian login. Exits non-zero
// and prints each error with its line when the manifest is not valid.
'use strict';

const { validate } = require('@forge/manifest');

validate(false, 'manifest.yml').then(
  (result) => {
    for (const e of result.errors ?? []) {
      console.error(`manifest.yml:${e.line ?? '?'}:${e.column ?? '?'}: ${e.message}`);
    }
    if (!result.success) {
      process.exit(1);
    }
    console.log('manifest.yml is a valid Forge manifest');
  },
  (error) => {
    console.error(`cannot validate manifest.yml: ${error}`);
    process.exit(1);
  },
);
