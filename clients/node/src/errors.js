'use strict';
// Reading the google.rpc.Status that tenlog puts in the grpc-status-details-bin
// trailer: BadRequest field violations, ErrorInfo, RetryInfo.

const path = require('node:path');
const fs = require('node:fs');
const protobuf = require('protobufjs');
const { googleapisRoot } = require('./protos');

let types;

function loadTypes() {
  if (types) return types;
  const root = new protobuf.Root();
  const includeDirs = [googleapisRoot()];
  root.resolvePath = (origin, target) => {
    for (const dir of includeDirs) {
      const candidate = path.join(dir, target);
      if (fs.existsSync(candidate)) return candidate;
    }
    return target; // google/protobuf/*.proto: protobufjs has these built in
  };
  root.loadSync(['google/protobuf/any.proto', 'google/rpc/error_details.proto']);
  // google/rpc/status.proto is not vendored; Status is small enough to declare here.
  const Status = new protobuf.Type('Status')
    .add(new protobuf.Field('code', 1, 'int32'))
    .add(new protobuf.Field('message', 2, 'string'))
    .add(new protobuf.Field('details', 3, 'google.protobuf.Any', 'repeated'));
  root.lookup('google.rpc').add(Status);
  types = {
    Status: root.lookupType('google.rpc.Status'),
    BadRequest: root.lookupType('google.rpc.BadRequest'),
    ErrorInfo: root.lookupType('google.rpc.ErrorInfo'),
    RetryInfo: root.lookupType('google.rpc.RetryInfo'),
  };
  return types;
}

const TYPE_URL = 'type.googleapis.com/';

/**
 * The rich details of a failed call (a grpc-js ServiceError).
 * Returns { code, message, fieldViolations: [{field, description}], reason, retryDelayMs }.
 */
function errorDetails(error) {
  const out = {
    code: error && error.code,
    message: error && error.details,
    fieldViolations: [],
    reason: undefined,
    retryDelayMs: undefined,
  };
  const raw = error && error.metadata && error.metadata.get('grpc-status-details-bin')[0];
  if (!raw) return out;
  const t = loadTypes();
  const status = t.Status.decode(raw);
  for (const detail of status.details) {
    const name = detail.type_url.startsWith(TYPE_URL) ? detail.type_url.slice(TYPE_URL.length) : detail.type_url;
    if (name === 'google.rpc.BadRequest') {
      out.fieldViolations = t.BadRequest.decode(detail.value).fieldViolations.map((v) => ({
        field: v.field,
        description: v.description,
      }));
    } else if (name === 'google.rpc.ErrorInfo') {
      out.reason = t.ErrorInfo.decode(detail.value).reason;
    } else if (name === 'google.rpc.RetryInfo') {
      const delay = t.RetryInfo.decode(detail.value).retryDelay || {};
      out.retryDelayMs = Number(delay.seconds || 0) * 1000 + (delay.nanos || 0) / 1e6;
    }
  }
  return out;
}

module.exports = { errorDetails };
