'use strict';
// TenlogClient: a small promise/async-iterator wrapper over tenlog's gRPC API.

const { once } = require('node:events');
const grpc = require('@grpc/grpc-js');
const { loadTenlog } = require('./protos');
const { toCompletionMessage, fromCompletionMessage, filterMessage } = require('./completions');
const { errorDetails } = require('./errors');

const DEFAULT_TARGET = 'localhost:50051';
const TRUE = new Set(['1', 'true', 'yes', 'on']);

// grpc-js waits up to 1 s, then longer, before reconnecting; while it waits,
// calls fail at once with UNAVAILABLE. Our retries back off on their own, so
// keep the channel's backoff short enough for them to find a server that is back.
const CHANNEL_OPTIONS = {
  'grpc.initial_reconnect_backoff_ms': 100,
  'grpc.max_reconnect_backoff_ms': 2000,
  'grpc.max_receive_message_length': 64 * 1024 * 1024,
};

const DEFAULT_RETRY = Object.freeze({ maxAttempts: 5, initialBackoffMs: 100, maxBackoffMs: 5000, multiplier: 2 });

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The responses of TailCompletions: `for await` over them; cancel() ends the loop cleanly. */
class TailStream {
  constructor(call) {
    this.call = call;
    this.cancelled = false;
  }

  /** Stop the stream; a `for await` loop over it then ends without an error. */
  cancel() {
    this.cancelled = true;
    this.call.cancel();
  }

  async *[Symbol.asyncIterator]() {
    try {
      for await (const response of this.call) {
        yield { event: response.event, completion: fromCompletionMessage(response.completion) };
      }
    } catch (error) {
      if (this.cancelled && error.code === grpc.status.CANCELLED) return;
      throw error;
    }
  }
}

/**
 * A connection to a tenlog server.
 *
 * Options (each falls back to an environment variable): target (TENLOG_TARGET,
 * default localhost:50051), apiKey (TENLOG_API_KEY, required), organization
 * (TENLOG_ORGANIZATION, default: the key's), tls (TENLOG_TLS=1; implied by
 * rootCerts). deadlineMs bounds each unary call, retries included (default
 * 30 s). Unary calls retry UNAVAILABLE, and RESOURCE_EXHAUSTED when the
 * server sends RetryInfo, with exponential backoff (options.retry).
 *
 * Failed calls reject with a grpc-js ServiceError; errorDetails(err) reads
 * its field violations, reason and retry delay.
 */
class TenlogClient {
  constructor(options = {}) {
    const env = process.env;
    this.target = options.target || env.TENLOG_TARGET || DEFAULT_TARGET;
    this.apiKey = options.apiKey || env.TENLOG_API_KEY;
    if (!this.apiKey) throw new Error('tenlog: no API key; pass apiKey or set TENLOG_API_KEY');
    this.organization = options.organization || env.TENLOG_ORGANIZATION || undefined;
    const tls =
      Boolean(options.rootCerts || options.privateKey) ||
      (options.tls ?? TRUE.has(String(env.TENLOG_TLS || '').toLowerCase()));
    const credentials = tls
      ? grpc.credentials.createSsl(options.rootCerts || null, options.privateKey || null, options.certChain || null)
      : grpc.credentials.createInsecure();
    this.deadlineMs = options.deadlineMs ?? 30000;
    this.retry = { ...DEFAULT_RETRY, ...(options.retry || {}) };

    const { tenlog } = loadTenlog();
    const channelOptions = { ...CHANNEL_OPTIONS, ...(options.channelOptions || {}) };
    const completions = new tenlog.CompletionService(this.target, credentials, channelOptions);
    const shared = { ...channelOptions, channelOverride: completions.getChannel() };
    /**
     * The grpc-js service clients, sharing one channel, for RPCs the wrapper
     * does not cover; pass them client.metadata().
     */
    this.raw = {
      completions,
      sessions: new tenlog.SessionService(this.target, credentials, shared),
      feedback: new tenlog.FeedbackService(this.target, credentials, shared),
      feedbackTasks: new tenlog.FeedbackTaskService(this.target, credentials, shared),
      vendorIngest: new tenlog.VendorIngestService(this.target, credentials, shared),
    };
  }

  /** The call metadata: x-log10-token, and x-log10-organization when set. */
  metadata() {
    const metadata = new grpc.Metadata();
    metadata.set('x-log10-token', this.apiKey);
    if (this.organization) metadata.set('x-log10-organization', this.organization);
    return metadata;
  }

  _retryDelayMs(error, attempt) {
    if (attempt >= this.retry.maxAttempts) return undefined;
    if (error.code === grpc.status.UNAVAILABLE) {
      const asked = errorDetails(error).retryDelayMs;
      if (asked !== undefined) return asked;
      const ceiling = Math.min(this.retry.maxBackoffMs, this.retry.initialBackoffMs * this.retry.multiplier ** (attempt - 1));
      return ceiling * (0.5 + Math.random() / 2);
    }
    // Without RetryInfo, RESOURCE_EXHAUSTED may be a message over the size
    // limit, which waiting does not fix.
    if (error.code === grpc.status.RESOURCE_EXHAUSTED) return errorDetails(error).retryDelayMs;
    return undefined;
  }

  async _unary(service, method, request, options = {}) {
    const deadlineMs = options.deadlineMs ?? this.deadlineMs;
    const deadline = deadlineMs ? Date.now() + deadlineMs : Infinity;
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await new Promise((resolve, reject) => {
          const callOptions = deadline === Infinity ? {} : { deadline: new Date(deadline) };
          this.raw[service][method](request, this.metadata(), callOptions, (error, response) =>
            error ? reject(error) : resolve(response),
          );
        });
      } catch (error) {
        const wait = this._retryDelayMs(error, attempt);
        if (wait === undefined || Date.now() + wait >= deadline) throw error;
        await sleep(wait);
      }
    }
  }

  /** Store a completion (or upsert the one with its id); resolves to it as committed. */
  async createCompletion(completion, options) {
    const response = await this._unary('completions', 'CreateCompletion', { completion: toCompletionMessage(completion) }, options);
    return fromCompletionMessage(response);
  }

  /**
   * Update the completion named by completion.id. options.updateMask lists the
   * fields to replace (proto names, e.g. ['status', 'response']); without it,
   * every field set to a non-default value is replaced.
   */
  async updateCompletion(completion, options = {}) {
    if (!completion.id) throw new Error('updateCompletion: the completion needs the id of the one to update');
    const request = { completion: toCompletionMessage(completion) };
    if (options.updateMask) request.updateMask = { paths: options.updateMask };
    return fromCompletionMessage(await this._unary('completions', 'UpdateCompletion', request, options));
  }

  /** The completion with this id; rejects with NOT_FOUND if the organization has none. */
  async getCompletion(id, options) {
    return fromCompletionMessage(await this._unary('completions', 'GetCompletion', { id }, options));
  }

  /** Delete the completion with this id (its tags and feedback links go with it); NOT_FOUND if absent. */
  async deleteCompletion(id, options) {
    await this._unary('completions', 'DeleteCompletion', { id }, options);
  }

  /**
   * One page of completions, newest first. filter: tags (all must match),
   * sessionId, status, model, source, createdAfter/createdBefore (Dates),
   * pageSize, pageToken, offset. Resolves to { completions, nextPageToken }.
   */
  async listCompletions(filter = {}, options) {
    const response = await this._unary('completions', 'ListCompletions', filterMessage(filter), options);
    return { completions: response.completions.map(fromCompletionMessage), nextPageToken: response.nextPageToken };
  }

  /** Every matching completion, newest first, fetching pages as needed (`for await`). */
  async *iterCompletions(filter = {}, options) {
    let pageToken = '';
    do {
      const page = await this.listCompletions({ ...filter, pageToken }, options);
      yield* page.completions;
      pageToken = page.nextPageToken;
    } while (pageToken);
  }

  /**
   * Send completions (any iterable or async iterable) on one client stream.
   * Resolves to { acceptedCount, acceptedIds, rejected } once the server has
   * committed them. Not retried: the items are read once.
   */
  async uploadCompletions(completions, options = {}) {
    const callOptions = options.deadlineMs ? { deadline: new Date(Date.now() + options.deadlineMs) } : {};
    let call;
    const answer = new Promise((resolve, reject) => {
      call = this.raw.completions.UploadCompletions(this.metadata(), callOptions, (error, response) =>
        error ? reject(error) : resolve(response),
      );
    });
    answer.catch(() => {}); // observed below; avoid an unhandled rejection while still writing
    try {
      for await (const completion of completions) {
        if (!call.write({ completion: toCompletionMessage(completion) })) {
          // Wait for room, or for the call to end early (its error surfaces below).
          await Promise.race([once(call, 'drain'), answer.then(() => {}, () => {})]);
        }
      }
      call.end();
    } catch (error) {
      call.cancel();
      throw error;
    }
    return answer;
  }

  /**
   * Follow completions as they are created or updated, from now on, matching
   * filter (tags, sessionId, status). Returns a TailStream to `for await` over
   * ({ event, completion } each); call its cancel() to stop.
   */
  tailCompletions(filter = {}, options = {}) {
    const callOptions = options.deadlineMs ? { deadline: new Date(Date.now() + options.deadlineMs) } : {};
    return new TailStream(this.raw.completions.TailCompletions(filterMessage(filter), this.metadata(), callOptions));
  }

  /** Close the channel. */
  close() {
    for (const client of Object.values(this.raw)) client.close();
  }
}

module.exports = { TenlogClient, TailStream };
