"""Settings are declared once (config.py): flags, TENLOG_* variables, the TOML file and the README table agree."""

from __future__ import annotations

from pathlib import Path

import pytest
from tenlog_server.cli import main
from tenlog_server.cli.parser import build_parser
from tenlog_server.cli.settings_flags import SettingsError, load
from tenlog_server.config import ServerConfig, settings_table

ROOT = Path(__file__).resolve().parent.parent


def serve_config(*argv: str) -> ServerConfig:
    return load(ServerConfig, build_parser().parse_args(["serve", *argv]))


def test_readme_table_is_generated_from_the_settings() -> None:
    readme = (ROOT / "README.md").read_text()
    assert settings_table() in readme, "run .venv/bin/python scripts/settings_table.py"


def test_every_setting_has_a_flag_and_a_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ServerConfig.model_fields:
        monkeypatch.delenv(f"TENLOG_{name.upper()}", raising=False)
    assert serve_config("--max-batch-items", "7").max_batch_items == 7
    monkeypatch.setenv("TENLOG_WRITE_BATCH_SIZE", "11")
    assert serve_config().write_batch_size == 11
    assert serve_config("--no-bootstrap").bootstrap is False
    assert serve_config().max_message_bytes == 16 * 1024 * 1024


def test_flag_beats_environment_beats_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    toml = tmp_path / "tenlog.toml"
    toml.write_text('max_batch_items = 3\nmax_stream_items = 4\nhost = "0.0.0.0"\n')
    monkeypatch.setenv("TENLOG_MAX_STREAM_ITEMS", "5")
    monkeypatch.delenv("TENLOG_HOST", raising=False)
    config = serve_config("--config", str(toml), "--max-batch-items", "9")
    assert (config.max_batch_items, config.max_stream_items, config.host) == (9, 5, "0.0.0.0")


def test_bad_values_name_the_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TENLOG_PORT", "abc")
    with pytest.raises(SettingsError, match="--port / TENLOG_PORT"):
        serve_config()
    monkeypatch.delenv("TENLOG_PORT")
    toml = tmp_path / "tenlog.toml"
    toml.write_text("max_batch_itemz = 3\n")
    with pytest.raises(SettingsError, match="unknown settings max_batch_itemz"):
        serve_config("--config", str(toml))


def test_the_command_prints_one_line_and_its_version(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # main() is what the `tenlog` script runs; called here, it spares the test two interpreter starts.
    monkeypatch.setenv("TENLOG_PORT", "abc")
    assert main(["serve"]) == 2
    assert capsys.readouterr().err.strip().splitlines() == [
        "tenlog: bad setting --port / TENLOG_PORT: Input should be a valid integer, "
        "unable to parse string as an integer (got 'abc')"
    ]
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0 and capsys.readouterr().out.startswith("tenlog 0.")
