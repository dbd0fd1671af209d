#!/usr/bin/env node
/**
 * Copy the non-TypeScript files the built package needs into dist/ (tsc copies only what it
 * compiles): the service's numbered SQL migrations. Run by `npm run build`.
 */
import { cpSync, mkdirSync } from 'node:fs';

const ASSETS = [['src/service/migrations', 'dist/service/migrations']];

for (const [from, to] of ASSETS) {
  mkdirSync(to, { recursive: true });
  cpSync(from, to, { recursive: true, filter: (path) => !path.endsWith('.ts') });
}
