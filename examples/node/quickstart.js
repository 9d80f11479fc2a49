// Log a completion, update it, read it back, list, upload a batch and tail with the Node.js client.
//
//   (cd clients/node && npm ci)
//   export TENLOG_TARGET=127.0.0.1:50051 TENLOG_API_KEY=tlk_...
//   node examples/node/quickstart.js

'use strict';

const { TenlogClient, errorDetails } = require('../../clients/node');

async function main() {
  const client = new TenlogClient(); // TENLOG_TARGET / TENLOG_API_KEY
  try {
    // Follow our tag from now on; the server subscribes the tail as the call starts.
    const tail = client.tailCompletions({ tags: ['node-example'] });
    (async () => {
      for await (const { event, completion } of tail) console.log('tail', event, completion.id, completion.status);
    })();
    await new Promise((resolve) => setTimeout(resolve, 200));

    const created = await client.createCompletion({
      status: 'started',
      tags: ['example', 'node-example'],
      request: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hi' }] },
    });
    console.log('created', created.id, created.status);

    const updated = await client.updateCompletion(
      {
        id: created.id,
        status: 'finished',
        response: { choices: [{ index: 0, message: { role: 'assistant', content: 'Hi!' } }], usage: { total_tokens: 11 } },
      },
      { updateMask: ['status', 'response'] },
    );
    console.log('updated', updated.id, updated.status, updated.totalTokens, 'tokens');

    const fetched = await client.getCompletion(created.id);
    console.log('fetched', fetched.id, fetched.request.messages[0].content, '->', fetched.response.choices[0].message.content);

    const { completions } = await client.listCompletions({ tags: ['node-example'], pageSize: 5 });
    console.log('listed', completions.length);

    async function* batch() {
      for (let i = 0; i < 100; i += 1) yield { tags: ['example', 'node-upload'], request: { model: 'm', messages: [] } };
    }
    const uploaded = await client.uploadCompletions(batch());
    console.log('uploaded', uploaded.acceptedCount, 'rejected', uploaded.rejected.length);

    try {
      await client.createCompletion({ tags: [''] });
    } catch (error) {
      console.log('rejected as expected:', errorDetails(error).fieldViolations);
    }
    await new Promise((resolve) => setTimeout(resolve, 500)); // let the tail print
    tail.cancel();
  } finally {
    client.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
