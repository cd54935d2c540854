"""Sub-commands for sync: signin, signout, sync, buy, status.

Passwords come from ``$COURSE_PLAYER_PASSWORD`` or a prompt, never from a flag (flags end up in
shell history and process lists). The token is kept with keyring, so later runs need only
``course-player sync``.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import time
from typing import TYPE_CHECKING, Any

from player.cli import exit_codes
from player.cli.context import Context
from player.cli.output import raw_stderr
from player.errors import (
    CrossTenant,
    ServerUnavailable,
    SignInRequired,
    SyncError,
    UsageError,
    WrongCredentials,
)
from player.i18n import _
from player.safe_text import one_line
from player.services import lab_accounts, learner_lock, profiles, storage
from player.store.models import Profile
from player.sync.report import SYNC_DEADLINE, SyncPolicy, SyncProgress, SyncReport
from player.sync.retry import sync_until_delivered
from player.sync.status import sync_status
from player.timeutil import to_rfc3339

if TYPE_CHECKING:
    from player.sync.client import ApiClient

# The HTTP client (httpx) is imported by the commands that talk to a server, not at start-up:
# ``course-player search`` and the other local commands never load it.

PASSWORD_ENV = "COURSE_PLAYER_PASSWORD"
EXIT_OK = exit_codes.OK
EXIT_ERROR = exit_codes.ERROR
EXIT_WAITING = exit_codes.TEMPORARY  # something is still waiting; run again later


def register(sub: Any) -> None:
    p = sub.add_parser("signin", help="sign in to a course server (password: prompt or env)")
    _server_args(p, required=False)
    p.set_defaults(func=cmd_signin)

    p = sub.add_parser("signout", help="forget the learner's sign-in on this computer")
    p.set_defaults(func=cmd_signout)

    p = sub.add_parser(
        "sync",
        help="download courses and upload progress (first time: --server URL --user NAME)",
    )
    _server_args(p, required=False)
    p.add_argument(
        "--max-wait",
        type=float,
        default=120.0,
        metavar="SECONDS",
        help="retry transient failures for at most this long (default 120; 0: one attempt)",
    )
    p.add_argument(
        "--download",
        action="append",
        default=[],
        metavar="COURSE_ID",
        help="download this course again although it was removed from this computer (repeatable)",
    )
    p.set_defaults(func=cmd_sync)

    p = sub.add_parser("buy", help="buy a paid course from your organisation's store")
    p.add_argument("course_id", metavar="COURSE_ID")
    p.add_argument(
        "--product",
        metavar="PRODUCT_ID",
        help="the product to buy (default: the course's product in your organisation's store)",
    )
    p.set_defaults(func=cmd_buy)

    p = sub.add_parser("status", help="sync status: online, last sync, waiting and refused items")
    p.add_argument("--no-check", action="store_true", help="do not contact the server")
    p.set_defaults(func=cmd_status)


def _server_args(p: argparse.ArgumentParser, *, required: bool) -> None:
    p.add_argument(
        "--server",
        metavar="URL",
        help="the course server (default: the one the lab policy names)",
    )
    p.add_argument("--user", required=required, metavar="NAME", help="your user name")


# --- commands --------------------------------------------------------------------------------


def cmd_signin(ctx: Context, args: argparse.Namespace) -> int:
    if not args.user:
        raise UsageError(_("Give your user name with --user."))
    profile = _sign_in(ctx, _server(ctx, args.server), args.user)
    print(
        f"signed in\t{_one_line(profile.id)}\t{_one_line(profile.displayName)}"
        f"\t{_one_line(profile.tenantId or '')}"
    )
    return EXIT_OK


def cmd_signout(ctx: Context, args: argparse.Namespace) -> int:
    from player.sync import server_signin

    server_signin.sign_out(ctx.profile)
    print(f"signed out\t{ctx.profile.id}")
    return EXIT_OK


def cmd_sync(ctx: Context, args: argparse.Namespace) -> int:
    from player.sync import server_signin
    from player.sync.engine import sync

    if args.server and not args.user:
        raise UsageError(_("Give your user name with --user as well as --server."))
    if args.user:
        profile = _sign_in(ctx, _server(ctx, args.server), args.user)
    else:
        profile = ctx.profile
        _check_policy_server(ctx, profile)
    profiles.touch(ctx.store, profile)
    for course_id in getattr(args, "download", []):
        storage.request_download(ctx.store, profile, course_id)
    holder: list[ApiClient] = [_client(ctx, profile)]
    printer = _progress_printer()
    max_wait = max(0.0, args.max_wait)
    started = time.monotonic()

    def policy() -> SyncPolicy:
        """``--max-wait`` bounds the whole command, each attempt included (0: one attempt
        within the default sync deadline)."""
        if max_wait <= 0:
            return SyncPolicy()
        left = max_wait - (time.monotonic() - started)
        return SyncPolicy(deadline=max(1.0, min(SYNC_DEADLINE, left)))

    def attempt() -> SyncReport:
        try:
            return sync(ctx.store, profile, holder[0], on_progress=printer, policy=policy())
        except SignInRequired:
            if profile.username is None or not _password_available():
                raise
            _eprint(_("The sign-in has expired; signing in again."))
            holder[0].close()
            _sign_in(ctx, profile.serverUrl or "", profile.username)
            holder[0] = _client(ctx, profile)
            return sync(ctx.store, profile, holder[0], on_progress=printer, policy=policy())

    def on_retry(seconds: float, report: SyncReport | None, error: BaseException | None) -> None:
        reason = str(error) if error is not None else (report.summary() if report else "")
        _eprint(
            _("Not finished ({reason}); trying again in {n:.0f} s.").format(
                reason=reason, n=seconds
            )
        )

    try:
        report = sync_until_delivered(attempt, max_wait=max(0.0, args.max_wait), on_retry=on_retry)
    except SignInRequired:
        server_signin.sign_out(profile)
        raise
    finally:
        holder[0].close()
    return _print_report(report)


def cmd_buy(ctx: Context, args: argparse.Namespace) -> int:
    from player.sync.purchase import buy

    profile = ctx.profile
    _check_policy_server(ctx, profile)
    _confirm_purchase(ctx, profile)
    with _client(ctx, profile) as client:
        result = buy(ctx.store, profile, client, args.course_id, product_id=args.product)
    print(f"bought\t{result.purchase.courseId}\t{result.purchase.productId}\t{result.purchase.id}")
    if not result.downloaded:
        _eprint(_("Bought, but not downloaded yet: {reason}").format(reason=result.download_error))
        return EXIT_WAITING
    print(f"downloaded\t{result.purchase.courseId}")
    return EXIT_OK


def cmd_status(ctx: Context, args: argparse.Namespace) -> int:
    profile = ctx.profile
    status = sync_status(ctx.store, profile)
    print(f"learner\t{profile.id}\t{profile.displayName}")
    print(f"server\t{profile.serverUrl or '-'}")
    if profile.serverUrl and not args.no_check:
        print(f"online\t{_probe(profile)}")
    print(f"last sync\t{_time(status.last_success_at)}")
    print(f"last attempt\t{_time(status.last_attempt_at)}")
    if status.last_error:
        print(f"last error\t{_one_line(status.last_error)}")
    print(f"waiting\t{status.pending}")
    print(f"rejected\t{status.rejected}")
    for item in status.pending_items:
        extra = (
            f"\tattempts {item.attempts}, next {_time(item.next_attempt_at)}"
            if item.attempts
            else ""
        )
        print(f"  waiting\t{item.description}{extra}")
    for item in status.rejected_items:
        print(f"  rejected\t{item.description}\t{_one_line(item.reason or '')}")
    for issue in status.course_issues:
        print(f"  course {issue.kind}\t{issue.course_id}\t{_one_line(issue.message)}")
    return EXIT_OK


# --- helpers ---------------------------------------------------------------------------------


def _server(ctx: Context, given: str | None) -> str:
    """``--server``, else the lab policy's server; a lab machine's policy has the last word."""
    policy_server = ctx.policy.server_url if ctx.policy else None
    if (
        given
        and policy_server
        and lab_accounts.server_key(given) != lab_accounts.server_key(policy_server)
    ):
        raise UsageError(
            _(
                "This computer's lab policy names the course server {policy}; it cannot be "
                "used with {given}. Leave out --server."
            ).format(policy=policy_server, given=given)
        )
    server = given or policy_server
    if not server:
        raise UsageError(_("Give the course server with --server URL (no lab policy names one)."))
    return server


def _check_policy_server(ctx: Context, profile: Profile) -> None:
    """On a lab machine, only learners of the policy's server (and tenant) may sync or buy."""
    if ctx.policy is None or not ctx.policy.server_url or not profile.serverUrl:
        return
    if lab_accounts.server_key(profile.serverUrl) != lab_accounts.server_key(ctx.policy.server_url):
        raise CrossTenant(
            _(
                "This computer is for the course server {policy}; {name} signed in to another "
                "one. Sign in with “course-player signin --user NAME”."
            ).format(policy=ctx.policy.server_url, name=profile.displayName)
        )
    if ctx.policy.tenant_id and profile.tenantId != ctx.policy.tenant_id:
        raise lab_accounts.wrong_tenant(ctx.policy)


def _sign_in(ctx: Context, server: str, user: str) -> Profile:
    from player.sync import server_signin
    from player.sync.client import insecure_url_warning, normalize_url

    insecure = insecure_url_warning(normalize_url(server))
    if insecure:  # before the password is asked for and sent
        _eprint(f"course-player: {insecure}")
    password = _password(user)
    known = lab_accounts.profile_ids(ctx.store)
    result = server_signin.sign_in(ctx.store, server, user, password)
    if ctx.policy is not None:
        lab_accounts.refuse_other_tenant(
            ctx.store, ctx.policy, result.profile, known, server_signin.sign_out
        )
    if result.warning:
        _eprint(f"course-player: {result.warning}")
    profiles.touch(ctx.store, result.profile)
    ctx.profile_id = result.profile.id
    ctx.__dict__["profile"] = result.profile  # refresh the cached learner
    return result.profile


def _confirm_purchase(ctx: Context, profile: Profile) -> None:
    """Buying always needs the learner's password (``$COURSE_PLAYER_PASSWORD`` or a prompt),
    checked against the verifier kept at sign-in; a learner signed in before verifiers were kept
    is checked by the server instead (which keeps one)."""
    if not learner_lock.is_locked_kind(profile):
        return  # the guest: the purchase itself says to sign in
    password = os.environ.get(PASSWORD_ENV) or None
    if password is None and sys.stdin.isatty():
        password = getpass.getpass(
            _("Password for {user} (to buy): ").format(user=profile.username or profile.displayName)
        )
    if password and not learner_lock.has_verifier(ctx.store, profile):
        from player.sync import server_signin

        known = lab_accounts.profile_ids(ctx.store)
        try:
            result = server_signin.sign_in(
                ctx.store, profile.serverUrl or "", profile.username or "", password
            )
        except SignInRequired:
            raise WrongCredentials() from None
        if ctx.policy is not None:
            lab_accounts.refuse_other_tenant(
                ctx.store, ctx.policy, result.profile, known, server_signin.sign_out
            )
        return
    learner_lock.confirm(ctx.store, profile, password)


def _client(ctx: Context, profile: Profile) -> ApiClient:
    from player.sync import server_signin

    try:
        return server_signin.open_client(profile)
    except SignInRequired as error:
        if profile.serverUrl and profile.username and _password_available():
            return server_signin.open_client(_sign_in(ctx, profile.serverUrl, profile.username))
        raise SignInRequired(
            _(
                "{reason} Run “course-player sync --server {server} --user {user}” (the "
                "password is asked for, or read from ${env})."
            ).format(
                reason=str(error),
                server=profile.serverUrl or "URL",
                user=profile.username or "NAME",
                env=PASSWORD_ENV,
            )
        ) from error


def _password_available() -> bool:
    return bool(os.environ.get(PASSWORD_ENV)) or sys.stdin.isatty()


def _password(user: str) -> str:
    from_env = os.environ.get(PASSWORD_ENV)
    if from_env:
        return from_env
    if not sys.stdin.isatty():
        raise SyncError(
            "auth",
            _("No password: set ${env} or run the command in a terminal.").format(env=PASSWORD_ENV),
        )
    return getpass.getpass(_("Password for {user}: ").format(user=user))


def _probe(profile: Profile) -> str:
    from player.sync import server_signin

    try:
        client = server_signin.open_client(profile, timeout=5.0)
    except SyncError:
        return "unknown (not signed in)"
    with client:
        try:
            client.me()
        except SignInRequired:
            return "yes (sign-in expired)"
        except ServerUnavailable as error:
            return "no" if error.kind == "offline" else "server unavailable"
        except SyncError:
            return "yes"
    return "yes"


def _print_report(report: SyncReport) -> int:
    print(
        f"courses\tdownloaded {report.courses_downloaded}\tunchanged {report.courses_unchanged}"
        f"\tfailed {report.courses_failed}\tnot available {report.courses_not_downloadable}"
    )
    print(
        f"events\tsent {report.events_sent}\trejected {report.events_rejected}"
        f"\twaiting {report.events_waiting}\tkept for later {report.events_held}"
    )
    notes = f"notes\tsent {report.notes_sent}\tmerged {report.notes_merged}"
    if report.notes_local_only:
        notes += f"\tkept on this computer {report.notes_held}"
    print(notes)
    print(f"requests\t{report.requests}")
    for error in report.errors:
        if error.final:
            print(f"refused\t{error.kind}\t{error.item}\t{_one_line(error.message)}")
    for note in report.notes:
        _eprint(f"course-player: {note}")
    if report.events_held:
        _eprint(
            _(
                "course-player: {n} activity records are kept on this computer: the server does "
                "not accept them yet."
            ).format(n=report.events_held)
        )
    if report.courses_failed:
        _eprint(_("course-player: some courses could not be stored; see “refused” above."))
        return EXIT_ERROR
    if not report.delivered:
        transient = [e.message for e in report.errors if not e.final]
        _eprint(
            "course-player: "
            + _(
                "not everything reached the server; {n} items are waiting. Run sync again later."
            ).format(n=report.events_waiting)
            + (f" ({_one_line(transient[-1])})" if transient else "")
        )
        return EXIT_WAITING
    return EXIT_OK


def _progress_printer() -> Any:
    if not sys.stderr.isatty():
        return None
    last: dict[str, int] = {}

    def show(progress: SyncProgress) -> None:
        if progress.total <= 1 or last.get(progress.stage) == progress.done:
            return
        last[progress.stage] = progress.done
        end = "\n" if progress.done >= progress.total else "\r"
        print(f"{progress.stage} {progress.done}/{progress.total}", end=end, file=raw_stderr())

    return show


def _time(moment: Any) -> str:
    return to_rfc3339(moment) if moment is not None else "never"


def _one_line(text: str) -> str:
    return one_line(text)


def _eprint(text: str) -> None:
    print(text, file=sys.stderr)
