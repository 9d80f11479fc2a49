"""Section `bombs`: the requests of issue 9 that used to freeze the server, while a bystander keeps calling.

For each backend, one organization sends each bomb over and over (schema bombs,
a tag bomb, the largest tag filter allowed) while another organization's
bystander calls a health check and a GetCompletion in a loop. The table shows
how long the bomb took to be answered, and the bystander's latency during it
next to its latency with no bomb (the same run, so machine noise shows in both).
Target (issue 9): the bystander answers within 100 ms while a bomb is refused.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from tenlog.v1 import completion_pb2 as pb
from tenlog.v1 import completion_service_pb2 as api
from tenlog.v1 import completion_service_pb2_grpc as api_grpc
from tenlog.v1 import feedback_service_pb2 as fb
from tenlog.v1 import feedback_service_pb2_grpc as fb_grpc
from tenlog.v1 import feedback_task_service_pb2 as task
from tenlog.v1 import feedback_task_service_pb2_grpc as task_grpc

from .report import Table, ms, verdict
from .servers import BenchServer, database, mint_key, running_server
from .settings import BenchSettings
from .stats import percentile

BYSTANDER_TARGET_MS = 100.0
BACKENDS = ("sqlite", "postgresql")


@dataclass(slots=True)
class Bystander:
    """Health check + GetCompletion of another organization, in a loop on its own channel."""

    target: str
    key: str
    latencies_ms: list[float] = field(default_factory=list)
    refused: int = 0
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        with grpc.insecure_channel(self.target) as channel:
            health = health_pb2_grpc.HealthStub(channel)
            completions = api_grpc.CompletionServiceStub(channel)
            md = (("x-log10-token", self.key),)
            completions.CreateCompletion(
                api.CreateCompletionRequest(completion=pb.Completion(id="bystander", status=pb.STATUS_FINISHED)),
                metadata=md,
            )
            while not self.stop.is_set():
                started = time.perf_counter()
                health.Check(health_pb2.HealthCheckRequest(), timeout=30)
                try:
                    completions.GetCompletion(api.GetCompletionRequest(id="bystander"), metadata=md, timeout=30)
                except grpc.RpcError:
                    self.refused += 1  # an overloaded server may refuse it (RESOURCE_EXHAUSTED): counted
                self.latencies_ms.append((time.perf_counter() - started) * 1000)
                time.sleep(0.005)

    def during(self, work: Callable[[], None]) -> list[float]:
        """The bystander's latencies while work() runs."""
        self.latencies_ms = []
        self.stop.clear()
        thread = threading.Thread(target=self.run)
        thread.start()
        time.sleep(0.3)  # warm: channel up, row written
        self.latencies_ms = []
        try:
            work()
        finally:
            self.stop.set()
            thread.join()
        return self.latencies_ms


def _rest(server: BenchServer, key: str, path: str, body: bytes) -> int:
    request = urllib.request.Request(
        server.http_url + path,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "X-Log10-Token": key},
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def _bombs(server: BenchServer) -> list[tuple[str, Callable[[], Any]]]:
    channel = grpc.insecure_channel(server.grpc_target)
    md = (("x-log10-token", server.key),)
    tasks = task_grpc.FeedbackTaskServiceStub(channel)
    feedback = fb_grpc.FeedbackServiceStub(channel)
    completions = api_grpc.CompletionServiceStub(channel)

    def make_task(task_id: str, schema: dict[str, Any]) -> None:
        request = task.CreateFeedbackTaskRequest(task=pb.FeedbackTask(id=task_id, name=task_id))
        request.task.json_schema.update(schema)
        tasks.CreateFeedbackTask(request, metadata=md, timeout=120)

    make_task("regex", {"type": "object", "properties": {"v": {"type": "string", "pattern": "^(a+)+$"}}})
    make_task("unique", {"type": "object", "properties": {"v": {"type": "array", "uniqueItems": True}}})
    regex = fb.UploadFeedbackRequest(task_id="regex", allow_unmatched_feedback=True)
    regex.json_values.update({"v": "a" * 5000 + "!"})
    unique = fb.UploadFeedbackRequest(task_id="unique", allow_unmatched_feedback=True)
    unique.json_values.update({"v": [{"i": i} for i in range(8000)]})
    deep = b'{"allOf": [' * 2000 + b'{"type": "object"}' + b"]}" * 2000  # deeper than json.dumps recurses
    deep_body = b'{"id": "deep", "name": "deep", "json_schema": ' + deep + b"}"
    laughs: dict[str, Any] = {"$defs": {"l0": {"type": "string"}}}
    for i in range(1, 25):
        laughs["$defs"][f"l{i}"] = {"allOf": [{"$ref": f"#/$defs/l{i - 1}"}, {"$ref": f"#/$defs/l{i - 1}"}]}
    laughs["$ref"] = "#/$defs/l24"
    laughs_body = json.dumps({"id": "laughs", "name": "laughs", "json_schema": laughs}).encode()
    recursive_body = json.dumps({"id": "rec", "name": "rec", "json_schema": {"$ref": "#"}}).encode()
    # Legal but large: 5 MiB of small messages takes the server about half a second of CPU to take in.
    messages = [{"role": "user", "content": f"message {i} " + "x" * 40} for i in range(64_000)]
    large_body = json.dumps({"request": {"model": "m", "messages": messages}, "status": "started"}).encode()

    def refused(call: Callable[[], Any]) -> Callable[[], Any]:
        def run() -> Any:
            try:
                call()
            except grpc.RpcError as exc:
                return exc.code()
            return grpc.StatusCode.OK

        return run

    return [
        ("pattern ^(a+)+$ on 5,000 a's + '!'", refused(lambda: feedback.UploadFeedback(regex, metadata=md))),
        ("uniqueItems over 8,000 objects", refused(lambda: feedback.UploadFeedback(unique, metadata=md))),
        ("schema {$ref: '#'} (REST)", lambda: _rest(server, server.key, "/api/v1/feedback_task", recursive_body)),
        ("schema allOf 2,000 deep (REST)", lambda: _rest(server, server.key, "/api/v1/feedback_task", deep_body)),
        (
            "schema of 2^24 $ref expansions (REST)",
            lambda: _rest(server, server.key, "/api/v1/feedback_task", laughs_body),
        ),
        (
            f"completion of {len(large_body) / 2**20:.0f} MiB in 64,000 messages (REST)",
            lambda: _rest(server, server.key, "/api/v1/completions", large_body),
        ),
        (
            "ListCompletions with 1,000 tags",
            refused(
                lambda: completions.ListCompletions(
                    api.ListCompletionsRequest(tags=[f"t{i}" for i in range(1000)]), metadata=md
                )
            ),
        ),
        (
            "ListCompletions with 20 tags (the most allowed)",
            refused(
                lambda: completions.ListCompletions(
                    api.ListCompletionsRequest(tags=[f"t{i}" for i in range(20)]), metadata=md
                )
            ),
        ),
    ]


@dataclass(frozen=True, slots=True)
class BombFigures:
    """One bomb on one backend."""

    answer_ms: float  # median time for the bomb to be answered
    bystander_p99_ms: float
    bystander_max_ms: float


def _measure(
    settings: BenchSettings, backend: str, bystanders: list[Bystander]
) -> tuple[list[float], dict[str, BombFigures]]:
    with database(backend) as url:
        bystander_key = mint_key(url, "bystander")
        with running_server(url) as server:
            bystander = Bystander(server.grpc_target, bystander_key)
            bystanders.append(bystander)
            idle = bystander.during(lambda: time.sleep(settings.seconds))
            out: dict[str, BombFigures] = {}
            for name, bomb in _bombs(server):
                answers: list[float] = []

                def attack(bomb: Callable[[], Any] = bomb, answers: list[float] = answers) -> None:
                    end = time.monotonic() + settings.seconds
                    while time.monotonic() < end:
                        started = time.perf_counter()
                        bomb()
                        answers.append((time.perf_counter() - started) * 1000)

                seen = sorted(bystander.during(attack))
                out[name] = BombFigures(
                    percentile(sorted(answers), 0.5), percentile(seen, 0.99), seen[-1] if seen else float("nan")
                )
    return sorted(idle), out


def run(settings: BenchSettings, figures: dict[str, float]) -> Table:
    """Each bomb on each backend, with the bystander's latency beside it."""
    bystanders: list[Bystander] = []
    results = {backend: _measure(settings, backend, bystanders) for backend in BACKENDS}
    table = Table(
        f"Bombs (issue 9): each sent back to back for {settings.seconds:g} s by one organization while another's "
        "bystander loops health check + GetCompletion",
        [
            "bomb",
            *(f"{b}: bomb answered (p50)" for b in BACKENDS),
            *(f"{b}: bystander p99 / max" for b in BACKENDS),
            "target",
            "result",
        ],
    )
    idle_cells = [f"{ms(percentile(idle, 0.99))} / {ms(idle[-1])}" for idle, _ in results.values()]
    table.add("(no bomb: bystander alone)", *(["-"] * len(BACKENDS)), *idle_cells, "-", "")
    worst = 0.0
    for name in results[BACKENDS[0]][1]:
        cells = [results[b][1][name] for b in BACKENDS]
        worst = max([worst, *(c.bystander_max_ms for c in cells)])
        ok = all(c.bystander_max_ms <= BYSTANDER_TARGET_MS for c in cells)
        table.add(
            name,
            *(ms(c.answer_ms) for c in cells),
            *(f"{ms(c.bystander_p99_ms)} / {ms(c.bystander_max_ms)}" for c in cells),
            f"max <= {BYSTANDER_TARGET_MS:g} ms",
            verdict(ok),
        )
    table.note("bystander latency = one health check + one GetCompletion of another organization, back to back")
    refused = sum(r.refused for r in bystanders)
    table.note(f"bystander GetCompletion calls refused during the run: {refused}")
    figures["bombs_worst_bystander_ms"] = worst
    return table
