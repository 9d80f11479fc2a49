'use strict';
// Streaming RPCs through TenlogClient: UploadCompletions (client stream) and TailCompletions (server stream).

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { randomUUID } = require('node:crypto');
const { TenlogClient } = require('../src');
const { startServer } = require('./server');

let server;
let client;

before(async () => {
  server = await startServer({ org: 'org-node-streams' });
  client = new TenlogClient({ target: server.target, apiKey: server.key });
});

after(async () => {
  if (client) client.close();
  if (server) await server.stop();
});

const uniqueTag = () => `node-${randomUUID().slice(0, 8)}`;

test('upload streams completions from an async generator and reports what was committed', async () => {
  const tag = uniqueTag();
  const ids = [];
  async function* completions() {
    for (let i = 0; i < 250; i += 1) {
      const id = randomUUID();
      ids.push(id);
      yield { id, tags: [tag], request: { model: 'm', messages: [{ role: 'user', content: `#${i}` }] } };
    }
    yield { tags: [tag, ''] }; // an empty tag: rejected, the rest still land
  }
  const result = await client.uploadCompletions(completions());
  assert.equal(result.acceptedCount, 250);
  assert.deepEqual([...result.acceptedIds].sort(), [...ids].sort());
  assert.equal(result.rejected.length, 1);
  assert.equal(result.rejected[0].index, 250);

  const stored = [];
  for await (const c of client.iterCompletions({ tags: [tag], pageSize: 100 })) stored.push(c.id);
  assert.deepEqual(stored.sort(), [...ids].sort());
});

test('tail delivers completions created and updated after it starts, filtered by tag', async () => {
  const tag = uniqueTag();
  const tail = client.tailCompletions({ tags: [tag] });
  const seen = [];
  const reading = (async () => {
    for await (const item of tail) {
      seen.push(item);
      if (seen.some((s) => s.event === 'TAIL_EVENT_UPDATED')) tail.cancel();
    }
  })();

  // The tail starts asynchronously; keep writing until it has seen one of ours.
  let first;
  for (let i = 0; i < 50 && seen.length === 0; i += 1) {
    first = await client.createCompletion({ tags: [tag], status: 'started' });
    await client.createCompletion({ tags: [uniqueTag()] }); // not ours: filtered out
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.ok(seen.length > 0, 'the tail saw nothing');
  const target = seen[seen.length - 1].completion;
  await client.updateCompletion({ id: target.id, status: 'finished' }, { updateMask: ['status'] });
  await reading; // ends cleanly once cancelled

  assert.ok(first);
  assert.ok(seen.every((s) => s.completion.tags.includes(tag)));
  const update = seen.find((s) => s.event === 'TAIL_EVENT_UPDATED');
  assert.equal(update.completion.id, target.id);
  assert.equal(update.completion.status, 'STATUS_FINISHED');
  assert.equal(seen[0].event, 'TAIL_EVENT_CREATED');
});
