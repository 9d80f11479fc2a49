'use strict';
// `npm pack` runs this (prepack): it copies the repository's protos into the package, so an
// installed tenlog package carries the .proto files it loads. The copy is git-ignored: protos/
// at the repository root stays the one source of truth.

const fs = require('node:fs');
const path = require('node:path');

const PACKAGE_ROOT = path.resolve(__dirname, '..');
const REPO_ROOT = path.resolve(PACKAGE_ROOT, '..', '..');
const TARGET = path.join(PACKAGE_ROOT, 'protos');

fs.rmSync(TARGET, { recursive: true, force: true });
fs.cpSync(path.join(REPO_ROOT, 'protos', 'tenlog'), path.join(TARGET, 'tenlog'), { recursive: true });
fs.cpSync(path.join(REPO_ROOT, 'third_party', 'googleapis', 'google'), path.join(TARGET, 'google'), { recursive: true });
console.log(`tenlog: bundled protos into ${path.relative(process.cwd(), TARGET) || '.'}`);
