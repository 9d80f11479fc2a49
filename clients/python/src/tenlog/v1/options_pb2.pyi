from google.protobuf import descriptor_pb2 as _descriptor_pb2
from google.protobuf import descriptor as _descriptor
from typing import ClassVar as _ClassVar

DESCRIPTOR: _descriptor.FileDescriptor
HTTP_SUCCESS_CODE_FIELD_NUMBER: _ClassVar[int]
http_success_code: _descriptor.FieldDescriptor
HTTP_WHEN_QUERY_HAS_FIELD_NUMBER: _ClassVar[int]
http_when_query_has: _descriptor.FieldDescriptor
