'use strict';
// google.protobuf.Struct / Value / Timestamp <-> plain JavaScript values, in the
// object shape @grpc/proto-loader uses (oneofs: true gives Value a `kind`).

/** A plain JSON-like value as a google.protobuf.Value object. */
function toValue(value) {
  if (value === null || value === undefined) return { nullValue: 'NULL_VALUE' };
  switch (typeof value) {
    case 'number':
      return { numberValue: value };
    case 'bigint':
      return { numberValue: Number(value) };
    case 'string':
      return { stringValue: value };
    case 'boolean':
      return { boolValue: value };
    default:
      break;
  }
  if (value instanceof Date) return { stringValue: value.toISOString() };
  if (Array.isArray(value)) return { listValue: { values: value.map(toValue) } };
  if (typeof value.toJSON === 'function') return toValue(value.toJSON());
  return { structValue: toStruct(value) };
}

/** A plain object as a google.protobuf.Struct object. */
function toStruct(object) {
  const fields = {};
  for (const [key, value] of Object.entries(object)) {
    if (value !== undefined) fields[key] = toValue(value);
  }
  return { fields };
}

/** A google.protobuf.Value object back as a plain value. */
function fromValue(value) {
  if (!value) return null;
  // Decoded Values name their case in `kind`; hand-built ones only carry the field.
  const kind = value.kind || ['numberValue', 'stringValue', 'boolValue', 'structValue', 'listValue'].find((k) => k in value);
  switch (kind) {
    case 'numberValue':
      return value.numberValue;
    case 'stringValue':
      return value.stringValue;
    case 'boolValue':
      return value.boolValue;
    case 'structValue':
      return fromStruct(value.structValue);
    case 'listValue':
      return (value.listValue.values || []).map(fromValue);
    default:
      return null;
  }
}

/** A google.protobuf.Struct object back as a plain object (null when unset). */
function fromStruct(struct) {
  if (!struct) return null;
  const out = {};
  for (const [key, value] of Object.entries(struct.fields || {})) out[key] = fromValue(value);
  return out;
}

/** A Date (or milliseconds since the epoch) as a google.protobuf.Timestamp object. */
function toTimestamp(date) {
  const ms = date instanceof Date ? date.getTime() : Number(date);
  const seconds = Math.floor(ms / 1000);
  return { seconds: String(seconds), nanos: Math.round((ms - seconds * 1000) * 1e6) };
}

/** A google.protobuf.Timestamp object as a Date (null when unset). */
function fromTimestamp(timestamp) {
  if (!timestamp) return null;
  return new Date(Number(timestamp.seconds) * 1000 + Math.floor(timestamp.nanos / 1e6));
}

module.exports = { toValue, toStruct, fromValue, fromStruct, toTimestamp, fromTimestamp };
