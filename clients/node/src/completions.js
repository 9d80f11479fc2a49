'use strict';
// Completion objects as the wrapper takes and returns them: request, response,
// metadata and extra as plain objects, times as Dates, enums by name.

const { randomUUID } = require('node:crypto');
const { toStruct, fromStruct, toTimestamp, fromTimestamp } = require('./struct');

const STRUCT_FIELDS = ['request', 'response', 'metadata', 'extra'];
const OUTPUT_ONLY = ['createdAt', 'updatedAt'];

/** 'finished' | 'STATUS_FINISHED' -> 'STATUS_FINISHED'; the same for Kind ('chat') and Source ('log10'). */
function enumName(prefix, value) {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'number') return value;
  const upper = String(value).toUpperCase();
  return upper.startsWith(`${prefix}_`) ? upper : `${prefix}_${upper}`;
}

/** A completion as sent: a fresh id unless given (so retries and resends upsert), Structs built. */
function toCompletionMessage(completion) {
  const out = { ...completion, id: completion.id || randomUUID() };
  for (const field of STRUCT_FIELDS) {
    if (completion[field] !== undefined && completion[field] !== null) out[field] = toStruct(completion[field]);
  }
  for (const field of OUTPUT_ONLY) delete out[field];
  if (out.status !== undefined) out.status = enumName('STATUS', out.status);
  if (out.kind !== undefined) out.kind = enumName('KIND', out.kind);
  if (out.source !== undefined) out.source = enumName('SOURCE', out.source);
  return out;
}

/** A completion as received, with plain request/response objects and Date timestamps. */
function fromCompletionMessage(message) {
  if (!message) return null;
  const out = { ...message };
  for (const field of STRUCT_FIELDS) out[field] = fromStruct(message[field]);
  for (const field of OUTPUT_ONLY) out[field] = fromTimestamp(message[field]);
  return out;
}

/** A ListCompletions / TailCompletions request from a filter object. */
function filterMessage(filter = {}) {
  const out = { ...filter };
  if (out.status !== undefined) out.status = enumName('STATUS', out.status);
  if (out.source !== undefined) out.source = enumName('SOURCE', out.source);
  if (out.createdAfter) out.createdAfter = toTimestamp(out.createdAfter);
  if (out.createdBefore) out.createdBefore = toTimestamp(out.createdBefore);
  return out;
}

module.exports = { toCompletionMessage, fromCompletionMessage, filterMessage, enumName };
