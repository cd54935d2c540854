"""The lab provisioning file: one machine-wide TOML file naming the server, the tenant and the
lab policy (kiosk mode, idle timeout, exit PIN, text sizes, UI language).

It lives in the platform's site config directory (``config.site_policy_path()``, e.g.
``/etc/xdg/course-player/policy.toml``) or is given with ``--config FILE``. A technician writes it
once for thirty machines, so it is read strictly: an unknown key, a wrong type or a bad value stops
the player with a message naming the file, the line and the key. The format is documented, with a
complete example, in docs/kiosk.md (the example is ``resources/examples/policy.toml``).

The exit PIN is never stored in clear text: ``pin_hash`` holds
``pbkdf2_sha256$<iterations>$<salt b64>$<hash b64>``, made by ``hash_pin`` (the
``course-player policy hash-pin`` command) and checked by ``verify_pin``.
"""

from __future__ import annotations

import base64
import difflib
import logging
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from player import config, passwords
from player.errors import ConfigError
from player.i18n import _

log = logging.getLogger(__name__)

PIN_SCHEME = passwords.SCHEME
PIN_ITERATIONS = passwords.DEFAULT_ITERATIONS
"""PBKDF2-SHA256 rounds for a new hash (OWASP's 2023 figure); about half a second to check."""
MIN_PIN_ITERATIONS = 100_000
MIN_PIN_LENGTH = 4

IDLE_WARNING_MINUTES = 1
"""The learner is warned this long before an idle kiosk session ends."""
DEFAULT_IDLE_TIMEOUT_MINUTES = 15
MIN_IDLE_TIMEOUT_MINUTES = IDLE_WARNING_MINUTES + 1
MAX_MINUTES = 24 * 60
TEXT_SIZE_MIN, TEXT_SIZE_MAX = 50, 300  # as the reader's zoom (player/ui/shell/window_state.py)

_TENANT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})?$")


@dataclass(frozen=True)
class KioskPolicy:
    enabled: bool = False
    idle_timeout_minutes: int = DEFAULT_IDLE_TIMEOUT_MINUTES
    pin_hash: str | None = None

    @property
    def idle_timeout_seconds(self) -> int:
        return self.idle_timeout_minutes * 60

    @property
    def idle_warning_seconds(self) -> int:
        """Seconds of idleness after which the learner is warned (one minute before the end)."""
        return (self.idle_timeout_minutes - IDLE_WARNING_MINUTES) * 60


@dataclass(frozen=True)
class LabPolicy:
    """A parsed provisioning file. ``None`` fields are not set by the file (the user decides)."""

    source: Path
    server_url: str | None = None
    tenant_id: str | None = None
    sync_interval_minutes: int | None = None
    kiosk: KioskPolicy = field(default_factory=KioskPolicy)
    text_sizes: tuple[int, ...] = ()
    """Allowed text sizes in percent, ascending; empty means the player's usual choices."""
    language: str | None = None
    public_keys: tuple[str, ...] = ()
    """``[server] public_keys``: the server's package-signing keys as ``KID:BASE64``, pinned
    before any sign-in (otherwise the first sign-in pins what the server publishes)."""


class PolicyError(ConfigError):
    """The provisioning file cannot be used; ``line`` and ``key`` say where, when known."""

    def __init__(
        self, message: str, path: Path, line: int | None = None, key: str | None = None
    ) -> None:
        super().__init__(message)
        self.path = path
        self.line = line
        self.key = key


# --- the PIN ---------------------------------------------------------------------------------


def pin_problem(pin: str) -> str | None:
    """Why ``pin`` cannot be an exit PIN, or None when it can."""
    if len(pin.strip()) < MIN_PIN_LENGTH:
        return _("The PIN must have at least {n} characters.").format(n=MIN_PIN_LENGTH)
    if pin != pin.strip():
        return _("The PIN must not start or end with a space.")
    return None


def hash_pin(pin: str, *, iterations: int = PIN_ITERATIONS, salt: bytes | None = None) -> str:
    """``pbkdf2_sha256$<iterations>$<salt b64>$<hash b64>`` for ``pin`` with a fresh random salt
    (``player.passwords``, shared with the lab's offline sign-in)."""
    problem = pin_problem(pin)
    if problem:
        raise ConfigError(problem)
    return passwords.make_verifier(pin, iterations=iterations, salt=salt)


def _pin_hash_reason(error: passwords.VerifierFormatError) -> str:
    """Why a ``pin_hash`` is refused, for the provisioning file's error message."""
    if error.problem == passwords.FORM:
        return _("it does not have the form {form}").format(form=_pin_hash_form())
    if error.problem == passwords.ITERATIONS_NOT_A_NUMBER:
        return _("the number of iterations is not a number")
    if error.problem == passwords.TOO_FEW_ITERATIONS:
        return _("{n} iterations are too few to protect the PIN (at least {min})").format(
            n=error.iterations, min=MIN_PIN_ITERATIONS
        )
    if error.problem == passwords.NOT_BASE64:
        return _("the salt or the hash is not valid base64")
    return _("the salt or the hash has the wrong length")


def _pin_hash_form() -> str:
    return f"{PIN_SCHEME}$<iterations>$<salt>$<hash>"


def verify_pin(policy: LabPolicy, pin: str) -> bool:
    """Whether ``pin`` is the policy's exit PIN; False when the policy has no PIN."""
    if not policy.kiosk.pin_hash:
        return False
    try:
        return passwords.check_verifier(
            policy.kiosk.pin_hash, pin, min_iterations=MIN_PIN_ITERATIONS
        )
    except passwords.VerifierFormatError:  # load_policy refuses such a file; a hand-made one
        log.warning("the policy's PIN hash is malformed; refusing every PIN")
        return False


# --- languages -------------------------------------------------------------------------------


def available_languages(locale_dir: Path | None = None) -> list[str]:
    """English plus every language with a compiled catalog under ``resources/locale``."""
    directory = locale_dir or config.resources_dir() / "locale"
    found = {"en"}
    if directory.is_dir():
        for mo in directory.glob("*/LC_MESSAGES/course-player.mo"):
            found.add(mo.parent.parent.name)
    return sorted(found)


def language_supported(code: str, locale_dir: Path | None = None) -> bool:
    """``de`` or ``de_AT`` when German ships; the region falls back to the language."""
    if not _LANGUAGE.match(code):
        return False
    base = re.split(r"[_-]", code)[0]
    known = available_languages(locale_dir)
    return code in known or base in known


# --- the file format -------------------------------------------------------------------------

Check = Callable[[Any], str | None]
"""Returns why a (well-typed) value is refused, or None."""


@dataclass(frozen=True)
class _Key:
    kind: str  # "int" | "bool" | "str" | "int_list"
    check: Check | None = None


def _schema() -> dict[str, dict[str, _Key]]:
    # Built on each call, so the messages come out in the language installed now.
    return {
        "server": {
            "url": _Key("str", url_problem),
            "tenant": _Key("str", _check_tenant),
            "public_keys": _Key("str_list", _check_public_keys),
            "sync_interval_minutes": _Key(
                "int", _check_range(1, MAX_MINUTES, _("a sync interval"))
            ),
        },
        "kiosk": {
            "enabled": _Key("bool"),
            "idle_timeout_minutes": _Key(
                "int", _check_range(MIN_IDLE_TIMEOUT_MINUTES, MAX_MINUTES, _("an idle timeout"))
            ),
            "pin_hash": _Key("str", _check_pin_hash),
        },
        "ui": {
            "language": _Key("str", _check_language),
            "text_sizes": _Key("int_list", _check_text_sizes),
        },
    }


# Keys a technician might write for the PIN in clear text; refused with a pointer to hash-pin.
_CLEAR_PIN_KEYS = {"pin", "exit_pin", "password", "exit_password", "pin_code"}


def _expected(kind: str) -> str:
    return {
        "int": _("a whole number"),
        "bool": _("true or false"),
        "str": _("text in quotes"),
        "int_list": _("a list of whole numbers, like [100, 125, 150]"),
        "str_list": _('a list of texts in quotes, like ["k1:BASE64"]'),
        "table": _("a section (a [name] header)"),
    }[kind]


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, dict):
        return _("a section")
    if isinstance(value, list):
        return _("a list")
    return str(value)


def _kind_matches(kind: str, value: Any) -> bool:
    if kind == "int":
        return type(value) is int
    if kind == "bool":
        return type(value) is bool
    if kind == "str":
        return type(value) is str
    if kind == "int_list":
        return type(value) is list and all(type(item) is int for item in value)
    if kind == "str_list":
        return type(value) is list and all(type(item) is str for item in value)
    return False


def url_problem(value: str) -> str | None:
    """Why ``value`` is not a course server address (http or https), or None."""
    parts = urlsplit(value.strip())
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.username
        or parts.password
        or parts.query
        or parts.fragment
        or any(ch.isspace() for ch in value.strip())
    ):
        return _(
            "must be the address of the course server, starting with https:// "
            "(for example https://learn.example.org), not {value}"
        ).format(value=_describe(value))
    try:
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        return _("the address has an invalid port number: {value}").format(value=_describe(value))
    return None


def _check_public_keys(value: list[str]) -> str | None:
    for item in value:
        kid, _sep, key = item.partition(":")
        try:
            raw = base64.b64decode(key.strip(), validate=True)
        except ValueError:
            raw = b""
        if not kid.strip() or len(raw) != 32:
            return _(
                '“{item}” is not a signing key: write each as "KID:BASE64" (the key id, a '
                "colon, the 32-byte Ed25519 public key in base64), as your server publishes "
                "them at /api/learn/keys"
            ).format(item=item)
    return None


def _check_tenant(value: str) -> str | None:
    if not _TENANT_ID.match(value):
        return _(
            "must be the tenant id your server administrator gave you (letters, digits, "
            "“.”, “_” and “-”, like t-north), not {value}"
        ).format(value=_describe(value))
    return None


def _check_range(low: int, high: int, what: str) -> Check:
    def check(value: int) -> str | None:
        if not low <= value <= high:
            return _("must be {what} between {low} and {high} minutes, not {value}").format(
                what=what, low=low, high=high, value=value
            )
        return None

    return check


def _check_pin_hash(value: str) -> str | None:
    if value.strip().isdigit() or (value and "$" not in value):
        return _(
            "the value holds the PIN in clear text. Never write the PIN itself into the file: run "
            "“course-player policy hash-pin” and paste the line it prints"
        )
    try:
        passwords.parse_verifier(value, min_iterations=MIN_PIN_ITERATIONS)
    except passwords.VerifierFormatError as error:
        return _(
            "the value is not a PIN hash made by “course-player policy hash-pin” ({reason}). "
            "Run that command again and paste the line it prints"
        ).format(reason=_pin_hash_reason(error))
    return None


def _check_language(value: str) -> str | None:
    if not language_supported(value):
        return _("must be one of the languages the player ships ({known}), not {value}").format(
            known=", ".join(available_languages()), value=_describe(value)
        )
    return None


def _check_text_sizes(value: list[int]) -> str | None:
    if not value:
        return _("must list at least one text size")
    if len(set(value)) != len(value):
        return _("lists a text size twice")
    for size in value:
        if not TEXT_SIZE_MIN <= size <= TEXT_SIZE_MAX:
            return _("must hold sizes in percent between {low} and {high}, not {value}").format(
                low=TEXT_SIZE_MIN, high=TEXT_SIZE_MAX, value=size
            )
    return None


# --- reading ---------------------------------------------------------------------------------

_HEADER = re.compile(r"^\s*\[\[?\s*([^\[\]]+?)\s*\]\]?\s*(?:#.*)?$")
_BARE_OR_QUOTED = r"""(?:"[^"]*"|'[^']*'|[A-Za-z0-9_\-]+)"""
_ASSIGN = re.compile(rf"^\s*({_BARE_OR_QUOTED}(?:\s*\.\s*{_BARE_OR_QUOTED})*)\s*=")
_SYNTAX_AT = re.compile(r"\(at line (\d+), column (\d+)\)")


def _dotted(name: str) -> str:
    return ".".join(part.strip().strip("\"'") for part in name.split("."))


def _assignments(text: str) -> list[tuple[int, str]]:
    """(line, full dotted key) for every header and assignment, in order."""
    found: list[tuple[int, str]] = []
    current = ""
    for number, line in enumerate(text.splitlines(), 1):
        header = _HEADER.match(line)
        if header:
            current = _dotted(header.group(1))
            found.append((number, current))
            continue
        assign = _ASSIGN.match(line)
        if assign:
            name = _dotted(assign.group(1))
            found.append((number, f"{current}.{name}" if current else name))
    return found


def find_key_line(text: str, key: str) -> int | None:
    """The line (1-based) where dotted ``key`` ("kiosk.enabled") or section ("kiosk") is set."""
    for number, full in _assignments(text):
        if full == key or full.startswith(key + "."):
            return number
    return None


def _key_at_line(text: str, line: int) -> str | None:
    for number, full in _assignments(text):
        if number == line:
            return full
    return None


def _first_duplicate(text: str) -> tuple[int, str] | None:
    seen: set[str] = set()
    for number, full in _assignments(text):
        if full in seen:
            return number, full
        seen.add(full)
    return None


class _Reader:
    def __init__(self, text: str, path: Path) -> None:
        self.text = text
        self.path = path

    def fail(
        self,
        problem: str,
        key: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> PolicyError:
        if line is None and key is not None:
            line = find_key_line(self.text, key)
            if line is None and "." in key:  # not written: point at its section, if any
                line = find_key_line(self.text, key.rsplit(".", 1)[0])
        where = _("Lab provisioning file {file}").format(file=self.path)
        if line is not None:
            where += ", " + _("line {line}").format(line=line)
        if column is not None:
            where += ", " + _("column {column}").format(column=column)
        if key is not None:
            where += ", " + _("key “{key}”").format(key=key)
        fix = _(
            "Correct the file (docs/kiosk.md has a complete example) and check it with "
            "“course-player --config {file} policy check”."
        ).format(file=self.path)
        return PolicyError(f"{where}: {problem}. {fix}", self.path, line, key)

    def unknown(self, key: str, known: list[str]) -> PolicyError:
        name = key.rsplit(".", 1)[-1]
        close = difflib.get_close_matches(name, known, n=1)
        problem = _("unknown key “{key}”").format(key=key)
        if close:
            problem += " " + _("(did you mean “{suggestion}”?)").format(suggestion=close[0])
        problem += _(
            "; only the keys of the documented example are allowed, so that a misspelt key "
            "is not silently ignored"
        )
        return self.fail(problem, key)

    def parse(self) -> LabPolicy:
        try:
            data = tomllib.loads(self.text)
        except tomllib.TOMLDecodeError as error:
            raise self._syntax(error) from None
        schema = _schema()
        values: dict[str, dict[str, Any]] = {}
        for section, content in data.items():
            if section not in schema:
                raise self.unknown(section, list(schema))
            if not isinstance(content, dict):
                raise self.fail(
                    _("must be {expected}, not {value}").format(
                        expected=_expected("table"), value=_describe(content)
                    ),
                    section,
                )
            values[section] = self._section(section, content, schema[section])
        return self._build(values)

    def _section(
        self, section: str, content: Mapping[str, Any], keys: Mapping[str, _Key]
    ) -> dict[str, Any]:
        checked: dict[str, Any] = {}
        for name, value in content.items():
            key = f"{section}.{name}"
            if section == "kiosk" and name in _CLEAR_PIN_KEYS:
                raise self.fail(
                    _(
                        "the exit PIN must not be written in the file in clear text: run "
                        "“course-player policy hash-pin” and write the line it prints "
                        '(pin_hash = "pbkdf2_sha256$…") instead'
                    ),
                    key,
                )
            spec = keys.get(name)
            if spec is None:
                raise self.unknown(key, list(keys))
            if not _kind_matches(spec.kind, value):
                raise self.fail(
                    _("must be {expected}, not {value}").format(
                        expected=_expected(spec.kind), value=_describe(value)
                    ),
                    key,
                )
            problem = spec.check(value) if spec.check else None
            if problem:
                raise self.fail(problem, key)
            checked[name] = value
        return checked

    def _build(self, values: dict[str, dict[str, Any]]) -> LabPolicy:
        server = values.get("server", {})
        kiosk = values.get("kiosk", {})
        ui = values.get("ui", {})
        if "tenant" in server and "url" not in server:
            raise self.fail(
                _("a tenant is named but not the server: add “url” to the [server] section"),
                "server.tenant",
            )
        if kiosk.get("enabled") and not kiosk.get("pin_hash"):
            raise self.fail(
                _(
                    "kiosk mode is enabled but there is no “pin_hash”, so nobody could leave "
                    "kiosk mode: run “course-player policy hash-pin” and add the line it prints"
                ),
                "kiosk.enabled",
            )
        url = server.get("url")
        return LabPolicy(
            source=self.path,
            server_url=url.strip().rstrip("/") if url else None,
            tenant_id=server.get("tenant"),
            sync_interval_minutes=server.get("sync_interval_minutes"),
            kiosk=KioskPolicy(
                enabled=kiosk.get("enabled", False),
                idle_timeout_minutes=kiosk.get(
                    "idle_timeout_minutes", DEFAULT_IDLE_TIMEOUT_MINUTES
                ),
                pin_hash=kiosk.get("pin_hash"),
            ),
            text_sizes=tuple(sorted(ui.get("text_sizes", ()))),
            language=ui.get("language"),
            public_keys=tuple(k.strip() for k in server.get("public_keys", ())),
        )

    def _syntax(self, error: tomllib.TOMLDecodeError) -> PolicyError:
        detail = str(error)
        at = _SYNTAX_AT.search(detail)
        line = int(at.group(1)) if at else None
        column = int(at.group(2)) if at else None
        detail = _SYNTAX_AT.sub("", detail).replace("(at end of document)", "").strip()
        key = _key_at_line(self.text, line) if line is not None else None
        if key is not None and "overwrite" in detail.lower():
            detail = _("“{key}” is set twice").format(key=key)
        if line is None:  # tomllib reports a repeated key at the end of the document
            duplicate = _first_duplicate(self.text)
            if duplicate:
                line, key = duplicate
                detail = _("“{key}” is set twice").format(key=key)
            elif "end of document" in str(error):
                line = len(self.text.splitlines()) or None
        problem = _("this is not valid TOML ({detail})").format(detail=detail)
        return self.fail(problem, key, line, column)


def parse_policy(text: str, source: Path) -> LabPolicy:
    """Parse the text of a provisioning file; ``source`` is named in error messages."""
    return _Reader(text.removeprefix("\ufeff"), source).parse()


def load_policy(path: Path | None) -> LabPolicy | None:
    """The policy from ``path`` (``--config``), else from the site file; None when there is none.

    A file given explicitly must exist; the site file may be absent.
    """
    explicit = path is not None
    target = path if path is not None else config.site_policy_path()
    try:
        raw = target.read_bytes()
    except FileNotFoundError:
        if explicit:
            raise PolicyError(
                _(
                    "There is no lab provisioning file {file}. Check the path given with --config."
                ).format(file=target),
                target,
            ) from None
        return None
    except OSError as error:
        raise PolicyError(
            _("The lab provisioning file {file} cannot be read ({reason}).").format(
                file=target, reason=error.strerror or error
            ),
            target,
        ) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise PolicyError(
            _(
                "The lab provisioning file {file} is not UTF-8 text. Save it as UTF-8 and "
                "start the player again."
            ).format(file=target),
            target,
        ) from None
    policy = parse_policy(text, target)
    log.info("lab policy read from %s (kiosk %s)", target, policy.kiosk.enabled)
    return policy
