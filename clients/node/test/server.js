'use strict';
// Starts a real `tenlog serve` on a temporary SQLite file and free ports, as users run it.

const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const TENLOG = process.env.TENLOG_BIN || path.resolve(__dirname, '..', '..', '..', '.venv', 'bin', 'tenlog');

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** `tenlog keys create --org ORG`: the key is the last line of stdout. */
function mintKey(databaseUrl, org) {
  const out = execFileSync(TENLOG, ['keys', 'create', '--org', org, '--database-url', databaseUrl], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return out.trim().split('\n').pop();
}

/** Start a server; resolves to { target, key, org, stop() } once it is serving gRPC. */
async function startServer({ org = 'org-node' } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tenlog-node-'));
  const databaseUrl = `sqlite:///${path.join(dir, 'tenlog.db')}`;
  const port = await freePort();
  const proc = spawn(
    TENLOG,
    ['serve', '--database-url', databaseUrl, '--port', String(port), '--http-port', '-1', '--no-bootstrap'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`tenlog serve did not start:\n${output}`)), 60000);
    const onData = (data) => {
      output += data;
      if (output.includes('serving gRPC on')) {
        clearTimeout(timer);
        resolve();
      }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`tenlog serve exited with ${code}:\n${output}`));
    });
  });
  proc.removeAllListeners('exit');
  const key = mintKey(databaseUrl, org);
  return {
    target: `127.0.0.1:${port}`,
    key,
    org,
    databaseUrl,
    mintKey: (otherOrg) => mintKey(databaseUrl, otherOrg),
    async stop() {
      if (proc.exitCode === null) {
        proc.kill('SIGTERM');
        await new Promise((resolve) => proc.once('exit', resolve));
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

module.exports = { startServer, freePort };
