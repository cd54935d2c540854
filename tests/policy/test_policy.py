"""The lab provisioning file: the documented example loads, every malformed file is refused with a
message naming the file, the line and the key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from player import config
from player.errors import ConfigError
from player.policy import (
    MIN_PIN_ITERATIONS,
    KioskPolicy,
    LabPolicy,
    PolicyError,
    find_key_line,
    hash_pin,
    load_policy,
    parse_policy,
    verify_pin,
)
from tests.policy.conftest import EXAMPLE, EXAMPLE_PIN

REPO = Path(__file__).resolve().parents[2]
FAST = MIN_PIN_ITERATIONS  # the cheapest hash the reader accepts, to keep tests quick


def test_the_documented_example_loads_with_every_field() -> None:
    policy = load_policy(EXAMPLE)

    assert policy == LabPolicy(
        source=EXAMPLE,
        server_url="https://learn.example.org",
        tenant_id="t-north",
        sync_interval_minutes=15,
        kiosk=KioskPolicy(
            enabled=True,
            idle_timeout_minutes=10,
            pin_hash=policy.kiosk.pin_hash if policy else None,
        ),
        text_sizes=(100, 125, 150, 200),
        language="de",
    )
    assert policy is not None
    assert policy.kiosk.idle_warning_seconds == 9 * 60
    assert policy.kiosk.idle_timeout_seconds == 10 * 60
    assert verify_pin(policy, EXAMPLE_PIN)
    assert not verify_pin(policy, "1357")


def test_docs_kiosk_shows_the_same_example() -> None:
    doc = (REPO / "docs" / "kiosk.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```toml\n(.*?)```", doc, flags=re.S)
    assert EXAMPLE.read_text(encoding="utf-8") in blocks


def test_no_site_file_means_no_policy() -> None:
    assert not config.site_policy_path().exists()
    assert load_policy(None) is None


def test_the_site_file_is_read_when_no_path_is_given() -> None:
    site = config.site_policy_path()
    site.parent.mkdir(parents=True)
    site.write_text('[server]\nurl = "https://lab.example.org/"\n', encoding="utf-8")

    policy = load_policy(None)

    assert policy is not None
    assert policy.source == site
    assert policy.server_url == "https://lab.example.org"
    assert policy.kiosk.enabled is False


def test_a_missing_file_given_explicitly_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"no lab provisioning file .*missing\.toml.*--config"):
        load_policy(tmp_path / "missing.toml")


def test_an_empty_file_sets_nothing(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text("# nothing yet\n", encoding="utf-8")
    assert load_policy(path) == LabPolicy(source=path)


def test_a_byte_order_mark_from_a_windows_editor_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_bytes('\ufeff[server]\ntenant = "t-1"\nurl = "http://10.0.0.5:8080"\n'.encode())
    policy = load_policy(path)
    assert policy is not None and policy.tenant_id == "t-1"


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_bytes('[ui]\nlanguage = "d\xe9"\n'.encode("latin-1"))
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_policy(path)


# --- malformed files: (text, line, key, words the message must contain) ----------------------

GOOD_HASH = hash_pin("2468", iterations=FAST, salt=b"0123456789abcdef")

MALFORMED = {
    "toml syntax": (
        '[server]\nurl = "https://learn.example.org"\n\n[kiosk]\nenabled = yes\n',
        5,
        "kiosk.enabled",
        ["not valid TOML", "column"],
    ),
    "unclosed string": ('[server]\nurl = "https://learn.example.org\n', 2, "server.url", ["TOML"]),
    "duplicate key": (
        f'[kiosk]\nenabled = false\npin_hash = "{GOOD_HASH}"\nenabled = true\n',
        4,
        "kiosk.enabled",
        ["set twice"],
    ),
    "unknown key": (
        "[kiosk]\nenabled = false\nidle_timout_minutes = 5\n",
        3,
        "kiosk.idle_timout_minutes",
        ["unknown key", "did you mean “idle_timeout_minutes”", "silently ignored"],
    ),
    "unknown section": ('[serve]\nurl = "https://x.org"\n', 1, "serve", ["unknown key", "server"]),
    "key outside a section": ('url = "https://x.org"\n', 1, "url", ["unknown key"]),
    "wrong type, number as text": (
        '[server]\nurl = "https://x.org"\nsync_interval_minutes = "15"\n',
        3,
        "server.sync_interval_minutes",
        ["must be a whole number", '"15"'],
    ),
    "wrong type, boolean as text": (
        '[kiosk]\nenabled = "true"\n',
        2,
        "kiosk.enabled",
        ["must be true or false"],
    ),
    "wrong type, dotted key": (
        "kiosk.idle_timeout_minutes = 7.5\n",
        1,
        "kiosk.idle_timeout_minutes",
        ["whole number", "7.5"],
    ),
    "wrong type, section as value": ('server = "https://x.org"\n', 1, "server", ["section"]),
    "wrong type, text sizes": (
        '[ui]\ntext_sizes = ["big"]\n',
        2,
        "ui.text_sizes",
        ["list of whole numbers"],
    ),
    "bad url, scheme": (
        '[server]\nurl = "ftp://learn.example.org"\n',
        2,
        "server.url",
        ["https://", '"ftp://learn.example.org"'],
    ),
    "bad url, no host": ('[server]\nurl = "https://"\n', 2, "server.url", ["address"]),
    "bad url, bare name": ('[server]\nurl = "learn.example.org"\n', 2, "server.url", ["https://"]),
    "bad url, port": ('[server]\nurl = "https://x.org:99999"\n', 2, "server.url", ["port"]),
    "tenant without server": ('[server]\ntenant = "t-north"\n', 2, "server.tenant", ["url"]),
    "bad tenant": (
        '[server]\nurl = "https://x.org"\ntenant = "north campus"\n',
        3,
        "server.tenant",
        ["tenant id"],
    ),
    "negative idle timeout": (
        f'[kiosk]\nenabled = true\nidle_timeout_minutes = -5\npin_hash = "{GOOD_HASH}"\n',
        3,
        "kiosk.idle_timeout_minutes",
        ["between 2 and 1440", "-5"],
    ),
    "idle timeout too short for the warning": (
        "[kiosk]\nidle_timeout_minutes = 1\n",
        2,
        "kiosk.idle_timeout_minutes",
        ["between 2 and 1440"],
    ),
    "zero sync interval": (
        '[server]\nurl = "https://x.org"\nsync_interval_minutes = 0\n',
        3,
        "server.sync_interval_minutes",
        ["between 1 and 1440"],
    ),
    "pin in clear text under its own key": (
        '[kiosk]\nenabled = true\npin = "2468"\n',
        3,
        "kiosk.pin",
        ["clear text", "course-player policy hash-pin"],
    ),
    "pin in clear text as the hash": (
        '[kiosk]\nenabled = true\npin_hash = "2468"\n',
        3,
        "kiosk.pin_hash",
        ["clear text", "hash-pin"],
    ),
    "pin in clear text as a number": (
        "[kiosk]\nexit_pin = 2468\n",
        2,
        "kiosk.exit_pin",
        ["clear text"],
    ),
    "bad hash format, scheme": (
        '[kiosk]\npin_hash = "sha1$1000$c2FsdA==$aGFzaA=="\n',
        2,
        "kiosk.pin_hash",
        ["not a PIN hash", "pbkdf2_sha256$<iterations>$<salt>$<hash>"],
    ),
    "bad hash format, iterations": (
        '[kiosk]\npin_hash = "pbkdf2_sha256$many$c2FsdHNhbHQ=$aGFzaA=="\n',
        2,
        "kiosk.pin_hash",
        ["iterations"],
    ),
    "bad hash format, too few iterations": (
        '[kiosk]\npin_hash = "{}"\n'.format(hash_pin("2468", iterations=1000)),
        2,
        "kiosk.pin_hash",
        ["too few"],
    ),
    "bad hash format, base64": (
        '[kiosk]\npin_hash = "pbkdf2_sha256$600000$not base64!$###"\n',
        2,
        "kiosk.pin_hash",
        ["base64"],
    ),
    "bad hash format, truncated": (
        f'[kiosk]\npin_hash = "{GOOD_HASH[:-12]}"\n',
        2,
        "kiosk.pin_hash",
        ["not a PIN hash"],
    ),
    "kiosk without a pin": (
        "[kiosk]\nenabled = true\nidle_timeout_minutes = 10\n",
        2,
        "kiosk.enabled",
        ["pin_hash", "nobody could leave"],
    ),
    "unknown language": ('[ui]\nlanguage = "xx"\n', 2, "ui.language", ["de, en", '"xx"']),
    "text size out of range": (
        "[ui]\ntext_sizes = [100, 1000]\n",
        2,
        "ui.text_sizes",
        ["between 50 and 300", "1000"],
    ),
    "text size twice": ("[ui]\ntext_sizes = [100, 100]\n", 2, "ui.text_sizes", ["twice"]),
    "no text sizes": ("[ui]\ntext_sizes = []\n", 2, "ui.text_sizes", ["at least one"]),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_a_malformed_file_is_refused_naming_file_line_and_key(case: str, tmp_path: Path) -> None:
    text, line, key, words = MALFORMED[case]
    path = tmp_path / "lab policy.toml"
    path.write_text(text, encoding="utf-8")

    with pytest.raises(PolicyError) as caught:
        load_policy(path)

    error = caught.value
    message = str(error)
    assert isinstance(error, ConfigError)
    assert (error.line, error.key) == (line, key)
    assert message.startswith(f"Lab provisioning file {path}, line {line}")
    assert f"key “{key}”" in message
    assert "policy check" in message  # what to do
    for word in words:
        assert word in message


def test_find_key_line_follows_sections_dotted_and_quoted_keys() -> None:
    text = (
        "# comment\n"
        "[server]  # the server\n"
        'url = "https://x.org"\n'
        "\n"
        '[ "kiosk" ]\n'
        '"enabled" = true\n'
        "ui.language = 'de'\n"
    )
    assert find_key_line(text, "server") == 2
    assert find_key_line(text, "server.url") == 3
    assert find_key_line(text, "kiosk.enabled") == 6
    assert find_key_line(text, "kiosk.ui.language") == 7  # a dotted key inside [kiosk]
    assert find_key_line(text, "ui.language") is None


# --- the PIN ---------------------------------------------------------------------------------


def test_hash_pin_makes_the_documented_format_with_a_fresh_salt() -> None:
    first, second = hash_pin("2468", iterations=FAST), hash_pin("2468", iterations=FAST)
    assert re.fullmatch(r"pbkdf2_sha256\$100000\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}", first)
    assert first != second  # salted


def test_verify_pin_accepts_only_the_pin() -> None:
    policy = parse_policy(
        f'[kiosk]\nenabled = true\npin_hash = "{hash_pin("0815 lab", iterations=FAST)}"\n',
        Path("p.toml"),
    )
    assert verify_pin(policy, "0815 lab")
    assert not verify_pin(policy, "0815")
    assert not verify_pin(policy, "")
    assert not verify_pin(LabPolicy(source=Path("p.toml")), "0815 lab")  # no PIN: no exit


def test_verify_pin_refuses_everything_for_a_hand_made_bad_hash() -> None:
    policy = LabPolicy(source=Path("p.toml"), kiosk=KioskPolicy(enabled=True, pin_hash="2468"))
    assert not verify_pin(policy, "2468")


@pytest.mark.parametrize("pin", ["", "12", " 2468", "2468 "])
def test_a_weak_or_padded_pin_is_refused(pin: str) -> None:
    with pytest.raises(ConfigError):
        hash_pin(pin, iterations=FAST)
