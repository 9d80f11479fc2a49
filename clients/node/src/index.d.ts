// Type declarations for the tenlog Node.js client (the package itself is plain JavaScript).

import type { Client as GrpcClient, Metadata, ServiceError, ChannelOptions } from '@grpc/grpc-js';
import type { status as GrpcStatus } from '@grpc/grpc-js';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export type StatusName = 'STATUS_UNSPECIFIED' | 'STATUS_STARTED' | 'STATUS_FINISHED' | 'STATUS_FAILED';
export type KindName = 'KIND_UNSPECIFIED' | 'KIND_CHAT' | 'KIND_PROMPT';
export type SourceName =
  | 'SOURCE_UNSPECIFIED'
  | 'SOURCE_LOG10'
  | 'SOURCE_FREEPLAY'
  | 'SOURCE_KEYWORDSAI'
  | 'SOURCE_LOGS_API';
/** Enum values are accepted by full name or short lower-case name ('finished', 'chat'). */
export type StatusInput = StatusName | 'started' | 'finished' | 'failed';
export type KindInput = KindName | 'chat' | 'prompt';
export type SourceInput = SourceName | 'log10' | 'freeplay' | 'keywordsai' | 'logs_api';

export interface StackFrame {
  file?: string;
  line?: string;
  lineno?: number;
  name?: string;
}

/** A completion to send. Without an id it is given a fresh UUID, so a resend upserts. */
export interface CompletionInput {
  id?: string;
  kind?: KindInput;
  status?: StatusInput;
  tags?: string[];
  /** The OpenAI-style request, stored as sent. */
  request?: JsonObject;
  /** The OpenAI-style response, stored as sent. */
  response?: JsonObject;
  stacktrace?: StackFrame[];
  sessionId?: string;
  /** Seconds. */
  duration?: number;
  failureKind?: string;
  failureReason?: string;
  model?: string;
  promptTokens?: number;
  completionTokens?: number;
  totalTokens?: number;
  cost?: number;
  source?: SourceInput;
  metadata?: JsonObject;
  extra?: JsonObject;
}

/** A completion as the server committed it. */
export interface Completion {
  id: string;
  organizationId: string;
  kind: KindName;
  status: StatusName;
  tags: string[];
  request: JsonObject | null;
  response: JsonObject | null;
  stacktrace: Required<StackFrame>[];
  sessionId: string;
  duration: number;
  failureKind: string;
  failureReason: string;
  createdAt: Date | null;
  updatedAt: Date | null;
  model: string;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  cost: number;
  source: SourceName;
  metadata: JsonObject | null;
  extra: JsonObject | null;
}

export interface CompletionFilter {
  /** Completions carrying every one of these tags. */
  tags?: string[];
  sessionId?: string;
  status?: StatusInput;
  model?: string;
  source?: SourceInput;
  createdAfter?: Date;
  createdBefore?: Date;
  pageSize?: number;
  pageToken?: string;
  offset?: number;
}

export interface TailFilter {
  tags?: string[];
  sessionId?: string;
  status?: StatusInput;
}

export interface RejectedCompletion {
  index: number;
  id: string;
  reason: string;
  fieldViolations: { field: string; description: string }[];
}

export interface UploadResult {
  acceptedCount: number;
  /** Ids of the accepted items, in order (the first 10,000 on a stream). */
  acceptedIds: string[];
  /** The rejected items and why (the first 1,000 on a stream). */
  rejected: RejectedCompletion[];
  rejectedCount: number;
}

export interface CallOptions {
  /** Milliseconds for the whole call, retries included (unary default: the client's deadlineMs). */
  deadlineMs?: number;
}

export interface RetryOptions {
  maxAttempts?: number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  multiplier?: number;
}

export interface TenlogClientOptions {
  /** host:port; default TENLOG_TARGET or localhost:50051. */
  target?: string;
  /** Default TENLOG_API_KEY; required. */
  apiKey?: string;
  /** Default TENLOG_ORGANIZATION, else the key's organization. */
  organization?: string;
  /** Default TENLOG_TLS=1; implied by rootCerts. */
  tls?: boolean;
  rootCerts?: Buffer;
  privateKey?: Buffer;
  certChain?: Buffer;
  /** Deadline of each unary call, retries included; default 30000. */
  deadlineMs?: number;
  retry?: RetryOptions;
  channelOptions?: ChannelOptions;
}

export interface TailEvent {
  event: 'TAIL_EVENT_UNSPECIFIED' | 'TAIL_EVENT_CREATED' | 'TAIL_EVENT_UPDATED';
  completion: Completion;
}

export declare class TailStream implements AsyncIterable<TailEvent> {
  /** Stop the stream; a `for await` loop over it then ends without an error. */
  cancel(): void;
  [Symbol.asyncIterator](): AsyncIterator<TailEvent>;
}

export declare class TenlogClient {
  constructor(options?: TenlogClientOptions);
  readonly target: string;
  /** The grpc-js service clients (one shared channel) for the RPCs the wrapper does not cover. */
  readonly raw: {
    completions: GrpcClient & Record<string, Function>;
    sessions: GrpcClient & Record<string, Function>;
    feedback: GrpcClient & Record<string, Function>;
    feedbackTasks: GrpcClient & Record<string, Function>;
    vendorIngest: GrpcClient & Record<string, Function>;
  };
  /** x-log10-token (and x-log10-organization) metadata for calls made through `raw`. */
  metadata(): Metadata;
  createCompletion(completion: CompletionInput, options?: CallOptions): Promise<Completion>;
  updateCompletion(
    completion: CompletionInput & { id: string },
    options?: CallOptions & { updateMask?: string[] },
  ): Promise<Completion>;
  getCompletion(id: string, options?: CallOptions): Promise<Completion>;
  deleteCompletion(id: string, options?: CallOptions): Promise<void>;
  listCompletions(
    filter?: CompletionFilter,
    options?: CallOptions,
  ): Promise<{ completions: Completion[]; nextPageToken: string }>;
  iterCompletions(filter?: Omit<CompletionFilter, 'pageToken'>, options?: CallOptions): AsyncIterable<Completion>;
  uploadCompletions(
    completions: Iterable<CompletionInput> | AsyncIterable<CompletionInput>,
    options?: CallOptions,
  ): Promise<UploadResult>;
  tailCompletions(filter?: TailFilter, options?: CallOptions): TailStream;
  close(): void;
}

export interface ErrorDetails {
  code: number;
  message: string;
  fieldViolations: { field: string; description: string }[];
  /** ErrorInfo.reason, when the server sent one. */
  reason?: string;
  /** RetryInfo.retry_delay in milliseconds, when the server sent one. */
  retryDelayMs?: number;
}

/** The google.rpc.Status details of a failed call. */
export declare function errorDetails(error: ServiceError): ErrorDetails;
export declare function toStruct(object: JsonObject): { fields: Record<string, unknown> };
export declare function fromStruct(struct: { fields?: Record<string, unknown> } | null | undefined): JsonObject | null;
export declare function loadTenlog(): { definition: unknown; tenlog: Record<string, any> };
export declare const status: typeof GrpcStatus;
