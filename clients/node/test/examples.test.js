'use strict';
// examples/node/quickstart.js runs as written against a live server.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { execFile } = require('node:child_process');
const { promisify } = require('node:util');
const { startServer } = require('./server');

const EXAMPLE = path.resolve(__dirname, '..', '..', '..', 'examples', 'node', 'quickstart.js');
let server;

before(async () => {
  server = await startServer({ org: 'org-node-examples' });
});

after(async () => {
  if (server) await server.stop();
});

test('the Node.js quickstart', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [EXAMPLE], {
    env: { ...process.env, TENLOG_TARGET: server.target, TENLOG_API_KEY: server.key },
    timeout: 60000,
  });
  assert.match(stdout, /updated \S+ STATUS_FINISHED 11 tokens/);
  assert.match(stdout, /uploaded 100 rejected 0/);
  assert.match(stdout, /rejected as expected/);
  assert.match(stdout, /tail TAIL_EVENT_UPDATED \S+ STATUS_FINISHED/);
});
