'use strict';
// tenlog for Node.js: a client for tenlog's gRPC API, loading the protos from protos/.

const grpc = require('@grpc/grpc-js');
const { TenlogClient, TailStream } = require('./client');
const { errorDetails } = require('./errors');
const { loadTenlog } = require('./protos');
const { toStruct, fromStruct } = require('./struct');

module.exports = { TenlogClient, TailStream, errorDetails, loadTenlog, toStruct, fromStruct, status: grpc.status };
