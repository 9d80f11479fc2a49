"""Drive log10-io 0.16 (SDK and `log10` CLI) unchanged through the calls beyond wrapped logging.

Run in its own process with LOG10_URL/LOG10_TOKEN/LOG10_ORG_ID set (log10-io
reads them at import time). Usage:
    log10_io_calls.py sdk TAG          mock_chat_completions() and an LLM class chat (its server session)
    log10_io_calls.py cli TAG DIR      the CLI's completions, feedback and feedback-task commands
Prints one JSON object with what the SDK returned or each command's exit code and output.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def run_sdk(tag: str) -> dict[str, Any]:
    from log10.completions.completions import Completions
    from log10.llm import Log10Config, Message
    from log10.openai import OpenAI

    mocked = Completions().mock_chat_completions(
        model="gpt-4o",
        messages=[{"role": "user", "content": "Capital of France?"}],
        response_content="Paris.",
        tags=[tag],
    )
    llm = OpenAI({"model": "gpt-4o-mini"}, log10_config=Log10Config(tags=[tag]))
    session_id = getattr(llm, "session_id", None)
    logging = llm.log10_config is not None  # the SDK drops its config when the session call fails
    reply = llm.chat([Message(role="user", content="Say hello")])
    return {
        "mock": mocked.model_dump() if mocked is not None else None,
        "session_id": session_id,
        "logging": logging,
        "llm_completion_id": getattr(llm, "completion_id", None),
        "llm_reply": reply.content,
        "last_completion_url": llm.last_completion_url(),
    }


def run_cli(tag: str, folder: str) -> dict[str, Any]:
    from click.testing import CliRunner
    from log10.cli.cli_commands import cli

    runner = CliRunner()
    out: dict[str, Any] = {}

    def invoke(name: str, *args: str) -> str:
        result = runner.invoke(cli, list(args), catch_exceptions=True)
        error = repr(result.exception) if result.exception and not isinstance(result.exception, SystemExit) else ""
        out[name] = {"exit_code": result.exit_code, "output": result.output, "error": error}
        return result.output

    completions_file = str(Path(folder) / "completions.jsonl")
    feedback_file = str(Path(folder) / "feedback.jsonl")
    invoke("completions list", "completions", "list", "--tags", tag)
    invoke("completions list (dates)", "completions", "list", "--from", "2000-01-01", "--to", "2100-01-01")
    download = ["completions", "download", "--tags", tag, "--limit", "15", "--file", completions_file]
    invoke("completions download", *download)
    for line in Path(completions_file).read_text().splitlines()[:1]:
        invoke("completions get", "completions", "get", "--id", json.loads(line)["id"])
    schema = json.dumps({"type": "object", "properties": {"score": {"type": "integer"}}, "required": ["score"]})
    created = invoke(
        "feedback-task create",
        "feedback-task",
        "create",
        "--name",
        f"task-{tag}",
        "--task_schema",
        schema,
        "--instruction",
        "rate it",
        "--completion_tags_selector",
        tag,
    )
    task_id = created.strip().rsplit(" ", 1)[-1]
    out["task_id"] = task_id
    invoke("feedback-task list", "feedback-task", "list")
    invoke("feedback-task get", "feedback-task", "get", "--id", task_id)
    invoke(
        "feedback create",
        "feedback",
        "create",
        "--task_id",
        task_id,
        "--values",
        '{"score": 4}',
        "--completion_tags_selector",
        tag,
        "--comment",
        "fine",
    )
    invoke("feedback list", "feedback", "list", "--task_id", task_id)
    invoke("feedback download", "feedback", "download", "--task_id", task_id, "--file", feedback_file)
    for line in Path(feedback_file).read_text().splitlines()[:1]:
        invoke("feedback get", "feedback", "get", "--id", json.loads(line)["id"])
    out["completions_file"] = Path(completions_file).read_text() if Path(completions_file).exists() else ""
    out["feedback_file"] = Path(feedback_file).read_text() if Path(feedback_file).exists() else ""
    return out


if __name__ == "__main__":
    mode, tag = sys.argv[1], sys.argv[2]
    result = run_sdk(tag) if mode == "sdk" else run_cli(tag, sys.argv[3])
    print(json.dumps(result, default=str))
