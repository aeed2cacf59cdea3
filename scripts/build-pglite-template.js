#!/usr/bin/env node
// Build step: an initialised PGlite data directory (dist/pglite-template) that embedded mode copies
// into a new DATA_DIR instead of running initdb at its first start. Skipped when one made by the
// installed PGlite version is already there.
import { defaultTemplateDir, makePgliteTemplate } from '../dist/platform/db/pglite-template.js';

await makePgliteTemplate(defaultTemplateDir);
process.stdout.write(`PGlite template: ${defaultTemplateDir}\n`);
