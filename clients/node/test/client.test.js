'use strict';
// TenlogClient against a live tenlog server started for this run.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { randomUUID } = require('node:crypto');
const { TenlogClient, errorDetails, status } = require('../src');
const { startServer, freePort } = require('./server');

let server;
let client;

before(async () => {
  server = await startServer();
  client = new TenlogClient({ target: server.target, apiKey: server.key });
});

after(async () => {
  if (client) client.close();
  if (server) await server.stop();
});

const uniqueTag = () => `node-${randomUUID().slice(0, 8)}`;

test('create, get and update a completion, with request and response kept as sent', async () => {
  const tag = uniqueTag();
  const request = { model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }], temperature: 0.5 };
  const response = { model: 'gpt-4o', choices: [{ index: 0, message: { role: 'assistant', content: 'Hello' } }], usage: { total_tokens: 7 } };
  const created = await client.createCompletion({ status: 'started', tags: [tag], request, response, duration: 0.5 });
  assert.ok(created.id);
  assert.equal(created.organizationId, server.org);
  assert.equal(created.status, 'STATUS_STARTED');
  assert.equal(created.model, 'gpt-4o');
  assert.equal(created.totalTokens, 7);
  assert.deepEqual(created.request, request);
  assert.deepEqual(created.response, response);
  assert.ok(created.createdAt instanceof Date);

  const updated = await client.updateCompletion({ id: created.id, status: 'finished' }, { updateMask: ['status'] });
  assert.equal(updated.status, 'STATUS_FINISHED');
  assert.deepEqual(updated.tags, [tag]);

  const fetched = await client.getCompletion(created.id);
  assert.equal(fetched.status, 'STATUS_FINISHED');
  assert.equal(fetched.duration, 0.5);
});

test('a client-chosen id makes a create idempotent', async () => {
  const id = randomUUID();
  const tag = uniqueTag();
  await client.createCompletion({ id, tags: [tag] });
  await client.createCompletion({ id, tags: [tag] });
  const { completions } = await client.listCompletions({ tags: [tag] });
  assert.deepEqual(completions.map((c) => c.id), [id]);
});

test('list filters by tag and status, and pages', async () => {
  const tag = uniqueTag();
  for (let i = 0; i < 3; i += 1) await client.createCompletion({ tags: [tag], status: 'finished' });
  await client.createCompletion({ tags: [tag], status: 'failed' });

  const page = await client.listCompletions({ tags: [tag], status: 'finished', pageSize: 2 });
  assert.equal(page.completions.length, 2);
  assert.ok(page.nextPageToken);
  const all = [];
  for await (const completion of client.iterCompletions({ tags: [tag], pageSize: 2 })) all.push(completion);
  assert.equal(all.length, 4);
  assert.equal(all.filter((c) => c.status === 'STATUS_FAILED').length, 1);
});

test('bad input rejects with INVALID_ARGUMENT and field violations', async () => {
  await assert.rejects(client.createCompletion({ tags: [''], duration: -1 }), (error) => {
    assert.equal(error.code, status.INVALID_ARGUMENT);
    const fields = errorDetails(error).fieldViolations.map((v) => v.field);
    assert.ok(fields.some((f) => f.endsWith('duration')), JSON.stringify(fields));
    return true;
  });
});

test('an unknown id is NOT_FOUND', async () => {
  await assert.rejects(client.getCompletion('no-such-id'), { code: status.NOT_FOUND });
});

test('a deleted completion is gone, and deleting it again is NOT_FOUND', async () => {
  const created = await client.createCompletion({ tags: [uniqueTag()] });
  await client.deleteCompletion(created.id);
  await assert.rejects(client.getCompletion(created.id), { code: status.NOT_FOUND });
  await assert.rejects(client.deleteCompletion(created.id), { code: status.NOT_FOUND });
});

test('a wrong key is UNAUTHENTICATED', async () => {
  const stranger = new TenlogClient({ target: server.target, apiKey: 'tlk_wrong' });
  try {
    await assert.rejects(stranger.listCompletions(), { code: status.UNAUTHENTICATED });
  } finally {
    stranger.close();
  }
});

test('organizations are isolated', async () => {
  const otherKey = server.mintKey('org-node-other');
  const other = new TenlogClient({ target: server.target, apiKey: otherKey, organization: 'org-node-other' });
  try {
    const mine = await client.createCompletion({ tags: [uniqueTag()] });
    await assert.rejects(other.getCompletion(mine.id), { code: status.NOT_FOUND });
  } finally {
    other.close();
  }
});

test('target and key come from the environment', async () => {
  const saved = { target: process.env.TENLOG_TARGET, key: process.env.TENLOG_API_KEY };
  process.env.TENLOG_TARGET = server.target;
  process.env.TENLOG_API_KEY = server.key;
  const fromEnv = new TenlogClient();
  try {
    const created = await fromEnv.createCompletion({ tags: [uniqueTag()] });
    assert.equal(created.organizationId, server.org);
  } finally {
    fromEnv.close();
    for (const [name, value] of [['TENLOG_TARGET', saved.target], ['TENLOG_API_KEY', saved.key]]) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
  delete process.env.TENLOG_API_KEY;
  assert.throws(() => new TenlogClient({ target: server.target }), /TENLOG_API_KEY/);
  if (saved.key !== undefined) process.env.TENLOG_API_KEY = saved.key;
});

test('the deadline bounds retries against a server that is not there', async () => {
  const nowhere = new TenlogClient({ target: `127.0.0.1:${await freePort()}`, apiKey: 'k', retry: { maxAttempts: 1000, maxBackoffMs: 100 } });
  try {
    const started = Date.now();
    await assert.rejects(nowhere.getCompletion('x', { deadlineMs: 700 }), (error) =>
      [status.UNAVAILABLE, status.DEADLINE_EXCEEDED].includes(error.code),
    );
    const elapsed = Date.now() - started;
    assert.ok(elapsed > 300 && elapsed < 1500, `took ${elapsed} ms`);
  } finally {
    nowhere.close();
  }
});
