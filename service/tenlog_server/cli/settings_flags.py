"""Settings <-> command line: a flag per settings field, and the settings of a command from its flags.

The fields themselves (name, type, default, help) are declared once in config.py.
"""

from __future__ import annotations

import argparse
import tomllib
from pathlib import Path
from typing import Literal, TypeVar, get_args, get_origin

from pydantic import ValidationError

from tenlog_server.config import Settings, describe_error, env_name, flag_name

S = TypeVar("S", bound=Settings)


def add_settings(parser: argparse.ArgumentParser, cls: type[Settings]) -> None:
    """One flag per field of a settings class, with its help, variable and default.

    Flags default to "not given" so that the environment and the config file
    (read by pydantic-settings) apply underneath them; values are validated by
    the settings class, which names the setting when one is bad.
    """
    for name, field in cls.model_fields.items():
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        shown = extra.get("shown_default") or repr(field.default)
        help_text = argparse.SUPPRESS if extra.get("hidden") else f"{field.description} [{env_name(name)}; {shown}]"
        if field.annotation is bool:
            parser.add_argument(
                flag_name(name, cls),
                dest=name,
                action=argparse.BooleanOptionalAction,
                default=argparse.SUPPRESS,
                help=help_text,
            )
        else:
            # Literal fields show their choices; the settings class still does the checking.
            choices = get_args(field.annotation) if get_origin(field.annotation) is Literal else ()
            metavar = "{" + ",".join(map(str, choices)) + "}" if choices else name.upper()
            parser.add_argument(
                flag_name(name, cls), dest=name, default=argparse.SUPPRESS, metavar=metavar, help=help_text
            )


class SettingsError(Exception):
    """A setting cannot be used; the message is the one line `tenlog` prints."""


def load(cls: type[S], args: argparse.Namespace) -> S:
    """The settings of a command: its flags, over TENLOG_* variables, over the --config file, over defaults."""
    given = {name: getattr(args, name) for name in cls.model_fields if hasattr(args, name)}
    config_path = getattr(args, "config", None)
    if config_path:
        path = Path(config_path)
        try:
            unknown = sorted(set(tomllib.loads(path.read_text())) - set(cls.model_fields))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise SettingsError(f"--config {path}: {exc}") from None
        if unknown:
            raise SettingsError(f"--config {path}: unknown settings {', '.join(unknown)}")
    cls.config_file = Path(config_path) if config_path else None
    try:
        return cls(**given)
    except ValidationError as exc:
        raise SettingsError(describe_error(exc, cls)) from None
    finally:
        cls.config_file = None
