"""A command imports only its own modules: the local commands never load Qt, httpx or reportlab.

Each command runs in a fresh interpreter (``sys.modules`` of this test process holds everything
other tests imported), through ``player.cli.main`` as ``course-player`` runs it.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

from player.cli import COMMANDS, MODULES, build_parser, main
from tests.conftest import FIXTURES

HEAVY = ("PySide6", "httpx", "reportlab")

SCRIPT = """
import sys
from player.cli import main
code = main(sys.argv[1:])
sys.stdout.flush()
heavy = sorted({m.split('.')[0] for m in sys.modules} & set(HEAVY))
others = sorted(m for m in sys.modules if m.startswith('player.cli.') and m not in OWN)
print('CODE', code, 'HEAVY', heavy, 'OTHER_CLI', others, file=sys.stderr)
"""


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("cli-imports") / "data"
    assert main(["--data-dir", str(data), "import", str(FIXTURES / "git-basics.json")]) == 0
    return data


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["list"], "git-basics\t"),
        (["lesson", "git-basics", "0"], "Git"),
        (["progress", "git-basics"], "0\tno\t"),
        (["status"], ""),
        (["search", "repository"], "git-basics\t"),
    ],
)
def test_local_commands_load_neither_qt_nor_httpx_nor_reportlab(
    data: Path, argv: list[str], expected: str
) -> None:
    own = {"player.cli.context", "player.cli.startup", "player.cli.exit_codes", "player.cli.output"}
    own.add(f"player.cli.{COMMANDS[argv[0]]}")
    script = f"HEAVY = {HEAVY!r}\nOWN = {sorted(own)!r}\n{SCRIPT}"
    result = subprocess.run(
        [sys.executable, "-c", script, "--data-dir", str(data), *argv],
        capture_output=True,
        text=True,
        check=True,
    )
    assert expected in result.stdout
    assert "CODE 0 HEAVY [] OTHER_CLI []" in result.stderr, result.stderr


def _subcommands(parser: argparse.ArgumentParser) -> set[str]:
    (action,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return set(action.choices)


def test_the_command_table_names_every_command_of_every_module() -> None:
    assert _subcommands(build_parser()) == set(COMMANDS)
    assert set(COMMANDS.values()) == set(MODULES)
    for command, module in COMMANDS.items():
        assert command in _subcommands(build_parser([command])), (command, module)


def test_one_command_gets_a_parser_with_its_module_only() -> None:
    assert _subcommands(build_parser(["--data-dir", "x", "-v", "list"])) == {
        c for c, m in COMMANDS.items() if m == "learn"
    }
    assert _subcommands(build_parser(["--help"])) == set(COMMANDS)  # help lists them all
    assert _subcommands(build_parser(["lst"])) == set(COMMANDS)  # a typo: every choice named
    assert _subcommands(build_parser(["--data-dir", "x"])) == set()  # the window: no command


def test_the_window_loads_no_command_module() -> None:
    script = (
        "import sys\n"
        "from player.cli import build_parser\n"
        "args = build_parser(['--data-dir', 'x', '--kiosk']).parse_args(['--data-dir', 'x', '--kiosk'])\n"
        "print(args.command, sorted(m for m in sys.modules if m.startswith('player.cli.')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    # nor the context, which opens the store: the window paints its frame first
    assert result.stdout.strip() == "None ['player.cli.exit_codes', 'player.cli.output']"


def test_a_global_option_without_its_value_is_reported_once(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["--data-dir"])
    err = capsys.readouterr().err
    assert err.count("expected one argument") == 1 and err.startswith("usage: course-player")


def test_a_mistyped_command_names_the_choices(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["lst"])
    err = capsys.readouterr().err
    assert "invalid choice: 'lst'" in err and "'export'" in err and "'list'" in err
