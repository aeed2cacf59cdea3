// What the PGlite template's build step (scripts/build-pglite-template.js) imports. It is a second
// entry of the CLI bundle (scripts/bundle-cli.js): a template is used only when each migration's
// fingerprint, a hash of its compiled code, matches, so the template must be made with the very
// code `azimuth all` runs, not tsc's separate copy of it.
export { defaultTemplateDir, makePgliteTemplate } from '../platform/db/pglite-template.js';
export { allMigrations } from './migrations.js';
