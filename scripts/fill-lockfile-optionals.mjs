#!/usr/bin/env node
/**
 * Some registries this project is installed from do not carry every platform build of packages
 * like @biomejs/biome and rollup (the darwin or win32 binaries, say). `npm install` then leaves
 * those optional dependencies out of package-lock.json, and `npm ci` refuses the lockfile as "not
 * in sync". This adds a lockfile entry for each missing platform-specific optional dependency, with
 * its `os`/`cpu`/`libc` taken from its name, so `npm ci` skips it on other platforms as it would
 * with a complete lockfile. Run it after `npm install` changes the lockfile:
 *
 *   npm install && node scripts/fill-lockfile-optionals.mjs
 */
import { readFileSync, writeFileSync } from 'node:fs';

const OS = [
  'android',
  'darwin',
  'freebsd',
  'linux',
  'win32',
  'openbsd',
  'netbsd',
  'sunos',
  'aix',
  'openharmony',
];
const CPU = [
  'arm64',
  'x64',
  'arm',
  'ia32',
  'loong64',
  'loongarch64',
  'mips64el',
  'ppc64',
  'riscv64',
  's390x',
  'wasm32',
];

const path = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8'));
const packages = lock.packages;
let added = 0;

for (const [location, entry] of Object.entries(packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`;
    const nested = `${location}/node_modules/${name}`;
    if (packages[key] || packages[nested]) continue;
    const parts = name.split('/').pop().split('-');
    const os = OS.find((o) => parts.includes(o) || (o === 'win32' && parts.includes('windows')));
    const cpu = CPU.find((c) => parts.includes(c));
    if (!os || !cpu) continue; // not a platform build: leave it to npm
    const filled = {
      version: String(version).replace(/^[\^~=]/, ''),
      cpu: [cpu],
      dev: entry.dev,
      optional: true,
      os: [os],
    };
    if (parts.includes('musl')) filled.libc = ['musl'];
    else if (parts.includes('gnu') || parts.includes('gnueabihf')) filled.libc = ['glibc'];
    if (!filled.dev) delete filled.dev;
    packages[key] = filled;
    added += 1;
  }
}

lock.packages = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : a > b ? 1 : 0)),
);
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`fill-lockfile-optionals: added ${added} platform-specific optional dependencies`);
