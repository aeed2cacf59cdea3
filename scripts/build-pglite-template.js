#!/usr/bin/env node
// Build step: an initialised PGlite data directory (dist/pglite-template) with every migration of
// this build applied, which embedded mode copies into a new DATA_DIR instead of running initdb and
// the migrations at its first start. Kept when it already matches the PGlite version and migrations.
import {
  allMigrations,
  defaultTemplateDir,
  makePgliteTemplate,
} from '../dist/roles/pglite-template-build.js';

await makePgliteTemplate(defaultTemplateDir, allMigrations);
process.stdout.write(`PGlite template: ${defaultTemplateDir}\n`);
