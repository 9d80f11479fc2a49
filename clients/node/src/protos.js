'use strict';
// Loads tenlog's .proto files at run time: from the package's own protos/ when it was installed
// from `npm pack` (prepack bundles them), else from the repository's protos/ tree (the one source
// of truth; nothing is generated here).

const path = require('node:path');
const fs = require('node:fs');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const BUNDLED = path.resolve(__dirname, '..', 'protos');
const bundled = fs.existsSync(path.join(BUNDLED, 'tenlog'));

/** Where the tenlog protos live: $TENLOG_PROTO_DIR, else the bundled copy, else <repo>/protos. */
function protoRoot() {
  return process.env.TENLOG_PROTO_DIR || (bundled ? BUNDLED : path.join(REPO_ROOT, 'protos'));
}

/** Where google/api and google/rpc protos live: $TENLOG_GOOGLEAPIS_DIR, else bundled, else <repo>/third_party/googleapis. */
function googleapisRoot() {
  return process.env.TENLOG_GOOGLEAPIS_DIR || (bundled ? BUNDLED : path.join(REPO_ROOT, 'third_party', 'googleapis'));
}

// Field names camelCase (sessionId), enums as their names, 64-bit ints as
// strings (Timestamp.seconds), and defaults filled in so absent fields read as
// proto3 zero values rather than undefined.
const LOADER_OPTIONS = Object.freeze({
  keepCase: false,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
});

let cached;

/** The loaded `tenlog.v1` package (service constructors and message types), loaded once. */
function loadTenlog() {
  if (cached) return cached;
  const root = protoRoot();
  const dir = path.join(root, 'tenlog', 'v1');
  if (!fs.existsSync(dir)) {
    throw new Error(`tenlog: protos not found at ${dir}; set TENLOG_PROTO_DIR to the protos/ folder`);
  }
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.proto')).map((f) => `tenlog/v1/${f}`);
  const definition = protoLoader.loadSync(files, { ...LOADER_OPTIONS, includeDirs: [root, googleapisRoot()] });
  cached = { definition, tenlog: grpc.loadPackageDefinition(definition).tenlog.v1 };
  return cached;
}

module.exports = { loadTenlog, protoRoot, googleapisRoot };
