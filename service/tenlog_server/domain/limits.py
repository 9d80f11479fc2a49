"""The input contract's limits: one place, the same for both backends and both transports.

README.md's "Limits" table lists these; a request past one is refused with
INVALID_ARGUMENT (HTTP 400) naming the field and the limit.
"""

from __future__ import annotations

# Identifiers (completion, session, task, feedback ids; tags) and other short text.
MAX_ID_LENGTH = 256
MAX_ORGANIZATION_LENGTH = 128  # the organization_id a client reports, and organization names
MAX_TAG_LENGTH = 256
MAX_SHORT_TEXT_LENGTH = 256  # model, failure_kind
MAX_LONG_TEXT_LENGTH = 1024 * 1024  # failure_reason, comments, instructions, names

# Lists.
MAX_TAGS_PER_COMPLETION = 100
MAX_FILTER_TAGS = 20  # tags in one listing / tail / selector condition: each is one index probe
MAX_STACK_FRAMES = 1000
MAX_TOKEN_COUNT = 2**31 - 1  # token counts are int32 on the wire (and INTEGER columns)
MAX_COMPLETION_IDS = 1000  # explicit completion_ids of one feedback
MAX_MATCHED_COMPLETIONS = 10_000  # max_matched_completions of one feedback

# JSON documents (request, response, metadata, extra, json_values, json_schema).
# Nesting: protobuf parses at most 100 nested messages and every JSON level costs it up to 3.
MAX_JSON_DEPTH = 32

# Feedback task schemas and the values checked against them.
MAX_SCHEMA_BYTES = 64 * 1024
MAX_SCHEMA_DEPTH = 24
MAX_SCHEMA_PATTERN_LENGTH = 1000
MAX_VALIDATED_ARRAY_ITEMS = 1000  # arrays inside json_values (uniqueItems is quadratic in them)
MAX_VALUES_BYTES = 64 * 1024  # json_values of one feedback (comments have a field of their own)
SCHEMA_CHECK_SECONDS = 2.0  # deadline of one schema compilation or validation

# Listing.
# Work on more than this many bytes (parsing a body, checking a completion) runs in a worker thread:
# at about 100 ms per MiB of small JSON objects, it would hold every other call on the event loop.
OFF_LOOP_BYTES = 256 * 1024
MAX_PAGE_BYTES = 4 * 1024 * 1024  # a page stops early rather than grow past this (at least one row)
