"""`gen_ai.evaluation.result` events -> feedback on the completion they grade.

An evaluation names its completion by its span context (the evaluated GenAI span is
its parent), else by `gen_ai.response.id`. Each evaluation name is a feedback task,
created on first use; score, label and explanation are the feedback's values.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..named_feedback import NamedTask

EVALUATION_EVENT = "gen_ai.evaluation.result"
EVALUATION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "score": {"type": ["number", "null"]},
        "label": {"type": ["string", "null"]},
        "explanation": {"type": ["string", "null"]},
    },
}


_MAX_NAME_IN_ID = 200


def evaluation_task_id(name: str) -> str:
    """The task id of an evaluation name: `named:<name>` (a hash for names too long or odd for an id)."""
    name = name.strip()
    if len(name) > _MAX_NAME_IN_ID or not name.isprintable():
        return "named:" + hashlib.sha256(name.encode()).hexdigest()
    return f"named:{name}"


@dataclass(slots=True)
class Evaluation:
    """One evaluation result and what it names."""

    name: str
    score: float | None
    label: str | None
    explanation: str | None
    trace_id: str
    span_id: str
    response_id: str
    time_ns: int

    def task(self) -> NamedTask:
        """The feedback task of this evaluation name (created on first use)."""
        return NamedTask(
            id=evaluation_task_id(self.name),
            name=self.name,
            instruction=f"OpenTelemetry evaluation {self.name!r} (gen_ai.evaluation.result)",
            json_schema=EVALUATION_SCHEMA,
        )

    def values(self) -> dict[str, Any]:
        """The feedback's json_values."""
        return {"score": self.score, "label": self.label, "explanation": self.explanation}

    def feedback_id(self) -> str:
        """A stable id, so re-exporting the event does not add the feedback twice."""
        key = f"{self.name}|{self.trace_id}|{self.span_id}|{self.response_id}|{self.time_ns}"
        return "otel-eval-" + hashlib.sha256(key.encode()).hexdigest()[:32]


def evaluation_of(
    attributes: Mapping[str, Any], trace_id: str, span_id: str, time_ns: int, body: Any = None
) -> Evaluation | None:
    """The evaluation an event's attributes (or body) hold; None without `gen_ai.evaluation.name`."""
    fields = dict(body) if isinstance(body, Mapping) else {}
    fields.update(attributes)
    name = fields.get("gen_ai.evaluation.name")
    if not isinstance(name, str) or not name.strip():
        return None
    score = fields.get("gen_ai.evaluation.score.value")
    label = fields.get("gen_ai.evaluation.score.label")
    explanation = fields.get("gen_ai.evaluation.explanation")
    response_id = fields.get("gen_ai.response.id")
    return Evaluation(
        name=name.strip(),
        score=float(score) if isinstance(score, int | float) and not isinstance(score, bool) else None,
        label=label if isinstance(label, str) else None,
        explanation=explanation if isinstance(explanation, str) else None,
        trace_id=trace_id,
        span_id=span_id,
        response_id=response_id if isinstance(response_id, str) else "",
        time_ns=time_ns,
    )
