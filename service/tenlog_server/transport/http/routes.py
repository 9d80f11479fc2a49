"""REST routes read from the `google.api.http` options of the service descriptors.

Nothing here names a tenlog method: every annotated method of every service
found in the given proto packages becomes one route per binding (the main
rule plus each of its `additional_bindings`).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from types import ModuleType

from google.api import annotations_pb2, http_pb2
from google.protobuf import message_factory
from google.protobuf.descriptor import MethodDescriptor, ServiceDescriptor
from google.protobuf.message import Message
from tenlog.v1 import options_pb2

from tenlog_server.transport.http.json_mapping import resolve_field_path
from tenlog_server.transport.http.path_template import PathTemplate, parse_path_template, split_path

DEFAULT_PROTO_PACKAGES = ("tenlog.v1",)
_HTTP_METHODS = ("get", "put", "post", "delete", "patch")


class RouteConfigError(ValueError):
    """An annotation the gateway cannot serve (bad template, unknown field, clashing routes)."""


@dataclass(frozen=True)
class Route:
    """One HTTP binding of one gRPC method."""

    http_method: str
    template: PathTemplate
    method: MethodDescriptor
    body: str  # "", "*" or a top-level request field name
    response_body: str  # "" or a top-level response field name
    success_code: int
    when_query_has: str = ""  # serve only requests whose query names this parameter

    @property
    def grpc_path(self) -> str:
        """The gRPC method path, `/package.Service/Method`."""
        return f"/{self.method.containing_service.full_name}/{self.method.name}"

    @property
    def request_class(self) -> type[Message]:
        """The generated class of the request message."""
        return message_factory.GetMessageClass(self.method.input_type)

    @property
    def response_class(self) -> type[Message]:
        """The generated class of the response message."""
        return message_factory.GetMessageClass(self.method.output_type)

    @property
    def client_streaming(self) -> bool:
        """Whether the client sends a stream (an NDJSON request body over HTTP)."""
        return bool(self.method.client_streaming)

    @property
    def server_streaming(self) -> bool:
        """Whether the server answers with a stream (an NDJSON response over HTTP)."""
        return bool(self.method.server_streaming)

    @property
    def path_fields(self) -> frozenset[str]:
        """Request field paths bound by the path template."""
        return frozenset(v.field_path for v in self.template.variables)


@dataclass
class RouteMatch:
    """A route and the variable values its template bound."""

    route: Route
    path_values: dict[str, str]


@dataclass
class RouteTable:
    """All routes, matched by HTTP method and path with literal-over-variable precedence."""

    routes: list[Route] = field(default_factory=list)

    def match(self, http_method: str, raw_path: str, query: Collection[str] = ()) -> RouteMatch | None:
        """The most specific route for this method, path and query parameter names, or None."""
        matches = [
            m
            for m in self._candidates(raw_path, http_method.upper())
            if not m.route.when_query_has or m.route.when_query_has in query
        ]
        return self._best(matches)

    def allowed_methods(self, raw_path: str) -> list[str]:
        """HTTP methods some route serves on this path (for 405 answers)."""
        methods = {m.route.http_method for m in self._candidates(raw_path, None)}
        return sorted(methods)

    def _candidates(self, raw_path: str, http_method: str | None) -> list[RouteMatch]:
        segments = split_path(raw_path)
        found: list[RouteMatch] = []
        for route in self.routes:
            if http_method is not None and route.http_method != http_method:
                continue
            values = route.template.match(segments)
            if values is not None:
                found.append(RouteMatch(route, values))
        if not found and len(segments) > 1 and segments[-1] == "":
            # Tolerate a trailing slash that no template spells.
            return self._candidates(raw_path[:-1], http_method)
        return found

    @staticmethod
    def _best(matches: list[RouteMatch]) -> RouteMatch | None:
        if not matches:
            return None
        # A binding conditioned on the query wins over the same path without the condition.
        return max(matches, key=lambda m: (m.route.template.specificity, bool(m.route.when_query_has)))


def load_services(packages: Iterable[str] = DEFAULT_PROTO_PACKAGES) -> list[ServiceDescriptor]:
    """Every service declared in the `*_pb2` modules of the given Python packages."""
    services: dict[str, ServiceDescriptor] = {}
    for package_name in packages:
        package = importlib.import_module(package_name)
        for module_info in pkgutil.iter_modules(package.__path__):
            if not module_info.name.endswith("_pb2"):
                continue
            module: ModuleType = importlib.import_module(f"{package_name}.{module_info.name}")
            for service in module.DESCRIPTOR.services_by_name.values():
                services[service.full_name] = service
    return [services[name] for name in sorted(services)]


def _rule_method_and_path(rule: http_pb2.HttpRule) -> tuple[str, str] | None:
    pattern = rule.WhichOneof("pattern")
    if pattern is None:
        return None
    if pattern == "custom":
        return rule.custom.kind.upper(), rule.custom.path
    if pattern in _HTTP_METHODS:
        return pattern.upper(), getattr(rule, pattern)
    return None


def _route_from_rule(
    method: MethodDescriptor, rule: http_pb2.HttpRule, success_code: int, when_query_has: str = ""
) -> Route | None:
    method_and_path = _rule_method_and_path(rule)
    if method_and_path is None:
        return None
    http_method, path = method_and_path
    where = f"{method.full_name} ({http_method} {path})"
    try:
        template = parse_path_template(path)
    except ValueError as error:
        raise RouteConfigError(f"{where}: {error}") from None
    request = method.input_type
    for variable in template.variables:
        chain = resolve_field_path(request, variable.field_path)
        if not chain or any(f.is_repeated for f in chain):
            raise RouteConfigError(f"{where}: path variable {variable.field_path!r} names no singular field")
    if rule.body not in ("", "*") and rule.body not in request.fields_by_name:
        raise RouteConfigError(f"{where}: body {rule.body!r} is not a field of {request.full_name}")
    if rule.response_body and rule.response_body not in method.output_type.fields_by_name:
        raise RouteConfigError(
            f"{where}: response_body {rule.response_body!r} is not a field of {method.output_type.full_name}"
        )
    return Route(
        http_method=http_method,
        template=template,
        method=method,
        body=rule.body,
        response_body=rule.response_body,
        success_code=success_code or 200,
        when_query_has=when_query_has,
    )


def build_route_table(services: Iterable[ServiceDescriptor]) -> RouteTable:
    """Routes for every binding of every annotated method; clashing bindings are an error."""
    table = RouteTable()
    seen: dict[tuple[str, tuple[object, ...], str, str], Route] = {}
    for service in services:
        for method in service.methods:
            options = method.GetOptions()
            if not options.HasExtension(annotations_pb2.http):
                continue
            rule = options.Extensions[annotations_pb2.http]
            success_code = int(options.Extensions[options_pb2.http_success_code])  # type: ignore[index]
            when_query_has = str(options.Extensions[options_pb2.http_when_query_has])  # type: ignore[index]
            for binding in [rule, *rule.additional_bindings]:
                route = _route_from_rule(method, binding, success_code, when_query_has)
                if route is None:
                    continue
                shape = tuple(
                    (s.kind, s.literal) for s in route.template.segments
                )  # variable names do not matter for a clash
                key = (route.http_method, shape, route.template.verb, route.when_query_has)
                if key in seen:
                    other = seen[key]
                    raise RouteConfigError(
                        f"{route.http_method} {route.template.text} is bound by both "
                        f"{other.method.full_name} and {method.full_name}"
                    )
                seen[key] = route
                table.routes.append(route)
    return table
