#!/usr/bin/env node
// The `azimuth` command: the built CLI when there is a build, else the TypeScript sources through
// tsx, so `npx azimuth …` works in a fresh checkout before anything was built.
import { existsSync } from 'node:fs';

const built = new URL('../dist/roles/cli.js', import.meta.url);
if (existsSync(built)) {
  await import(built.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../src/roles/cli.ts', import.meta.url).href);
}
