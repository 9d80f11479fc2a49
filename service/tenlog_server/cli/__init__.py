"""The `tenlog` command: serve, gateway, migrate, keys, prune, tail, completions, feedback, feedback-tasks,
export, import, prices.

parser.py builds the flags (settings_flags.py makes one per field of config.py),
commands.py holds what the server-side subcommands do, api_commands.py the
client-side ones that call the public API.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from .api_commands import run_api_command
from .commands import gateway, keys, migrate, prune, serve, tail
from .parser import build_parser
from .settings_flags import SettingsError
from .transfer_commands import run_export, run_import, run_prices

COMMANDS = {
    "serve": serve,
    "gateway": gateway,
    "migrate": migrate,
    "keys": keys,
    "prune": prune,
    "tail": tail,
    "completions": run_api_command,
    "feedback": run_api_command,
    "feedback-tasks": run_api_command,
    "export": run_export,
    "import": run_import,
    "prices": run_prices,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `tenlog` command."""
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except SettingsError as exc:
        print(f"tenlog: {exc}", file=sys.stderr)
        return 2


__all__ = ["build_parser", "main"]
