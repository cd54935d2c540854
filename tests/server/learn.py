"""Endpoints for auth, courses, entitlements, the store and enrollment."""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import sqlite3
from datetime import timedelta

from .common import (
    ApiError,
    Response,
    bad_request,
    format_time,
    from_micros,
    json_response,
    optional_str,
    parse_json_object,
    require_str,
    to_micros,
)
from .context import Caller, Context, Request
from .db import enrollment_json, purchase_json
from .faults import alter_one_byte

# -- shared look-ups ----------------------------------------------------------------------------


def latest_published(
    conn: sqlite3.Connection, tenant_id: str, course_id: str
) -> sqlite3.Row | None:
    """The package served for a course of a tenant: its highest PUBLISHED version."""
    row: sqlite3.Row | None = conn.execute(
        "SELECT * FROM packages WHERE tenant_id = ? AND course_id = ? AND status = 'PUBLISHED'"
        " ORDER BY version DESC LIMIT 1",
        (tenant_id, course_id),
    ).fetchone()
    return row


def has_access(conn: sqlite3.Connection, user_id: str, course_id: str) -> bool:
    """An enrollment or a purchase opens a course (the same guard everywhere)."""
    return (
        conn.execute(
            "SELECT 1 FROM enrollments WHERE user_id = ? AND course_id = ? UNION ALL "
            "SELECT 1 FROM purchases WHERE user_id = ? AND course_id = ? LIMIT 1",
            (user_id, course_id, user_id, course_id),
        ).fetchone()
        is not None
    )


def visible_package(conn: sqlite3.Connection, caller: Caller, course_id: str) -> sqlite3.Row:
    """The served package of a course of the caller's tenant, after the access guard."""
    package = latest_published(conn, caller.tenant_id, course_id)
    if package is None:
        known = conn.execute(
            "SELECT 1 FROM packages WHERE tenant_id = ? AND course_id = ?",
            (caller.tenant_id, course_id),
        ).fetchone()
        if known is not None:
            raise ApiError(404, "NOT_PUBLISHED", "This course has no published version.")
        raise ApiError(404, "NOT_FOUND", "No such course.")
    if not has_access(conn, caller.id, course_id):
        raise ApiError(403, "FORBIDDEN", "Enroll in or buy this course to open it.")
    return package


# -- auth ---------------------------------------------------------------------------------------


def issue_token(ctx: Context, req: Request) -> Response:
    data = parse_json_object(req.body)
    username = require_str(data, "username")
    password = data.get("password")
    if not isinstance(password, str):
        raise bad_request("password must be a string")
    device_name = optional_str(data, "deviceName")
    with ctx.db.transaction() as conn:
        user = conn.execute("SELECT * FROM users WHERE username = ?", (username,)).fetchone()
        if user is None or not secrets.compare_digest(
            user["password"].encode("utf-8"), password.encode("utf-8")
        ):
            raise ApiError(401, "UNAUTHENTICATED", "Wrong user name or password.")
        token = secrets.token_urlsafe(32)
        expires = ctx.db.clock() + timedelta(seconds=ctx.settings.token_ttl_seconds)
        conn.execute(
            "INSERT INTO tokens (token, user_id, device_name, expires_at) VALUES (?,?,?,?)",
            (token, user["id"], device_name, to_micros(expires)),
        )
    caller = Caller(user["id"], user["name"], user["tenant_id"])
    return json_response(
        200, {"token": token, "expiresAt": format_time(expires), "user": caller.to_json()}
    )


def me(ctx: Context, caller: Caller, req: Request) -> Response:
    return json_response(200, caller.to_json())


# -- courses ------------------------------------------------------------------------------------


def list_courses(ctx: Context, caller: Caller, req: Request) -> Response:
    with ctx.db.transaction() as conn:
        rows = conn.execute(
            "SELECT p.* FROM packages p WHERE p.tenant_id = ? AND p.status = 'PUBLISHED'"
            " AND p.version = (SELECT MAX(q.version) FROM packages q WHERE q.tenant_id ="
            " p.tenant_id AND q.course_id = p.course_id AND q.status = 'PUBLISHED')"
            " ORDER BY p.course_id",
            (caller.tenant_id,),
        ).fetchall()
    items: list[dict[str, object]] = []
    for row in rows:
        item: dict[str, object] = {
            "id": row["course_id"],
            "title": row["title"],
            "version": row["version"],
        }
        if not ctx.settings.seed_mode:
            item["sha256"] = row["sha256"]
            item["sizeBytes"] = len(row["body"])
            item["updatedAt"] = format_time(from_micros(row["updated_at"]))
            if ctx.signer.enabled:
                item["signature"] = _signature(ctx, row)
        items.append(item)
    return json_response(200, items)


def _etag_matches(header: str | None, etag: str) -> bool:
    if header is None:
        return False
    for candidate in header.split(","):
        candidate = candidate.strip()
        if candidate.startswith("W/"):
            candidate = candidate[2:]
        if candidate in ("*", etag):
            return True
    return False


def get_course(ctx: Context, caller: Caller, req: Request) -> Response:
    course_id = req.params[0]
    with ctx.db.transaction() as conn:
        package = visible_package(conn, caller, course_id)
    body = bytes(package["body"])
    if ctx.faults.is_bad_sha(course_id):
        body = alter_one_byte(body)
    if ctx.settings.seed_mode:
        return Response(200, body, is_package=True)
    etag = f'"{package["sha256"]}"'
    if _etag_matches(req.header("If-None-Match"), etag):
        return Response(304, b"", {"ETag": etag}, content_type=None)
    headers = {"ETag": etag}
    if ctx.signer.enabled:
        signature = _signature(ctx, package)
        headers["X-Package-Signature"] = f"{signature['kid']}:{signature['sig']}"
    return Response(200, body, headers, is_package=True)


def _signature(ctx: Context, row: sqlite3.Row) -> dict[str, str]:
    sha256 = str(row["sha256"])
    if ctx.faults.is_sign_wrong(str(row["course_id"])):
        sha256 = hashlib.sha256(b"other bytes" + sha256.encode()).hexdigest()
    return ctx.signer.sign(str(row["course_id"]), int(row["version"]), sha256)


def public_keys(ctx: Context, req: Request) -> Response:
    """``GET /api/learn/keys`` (no sign-in needed); 404 on a server that does not sign."""
    if ctx.settings.seed_mode or not ctx.signer.enabled:
        raise ApiError(404, "NOT_FOUND", "No such endpoint.")
    return json_response(200, {"keys": ctx.signer.keys_json()})


_INDEX = re.compile(r"-?[0-9]+")


def get_lesson(ctx: Context, caller: Caller, req: Request) -> Response:
    course_id, raw_index = req.params
    if not _INDEX.fullmatch(raw_index):
        raise bad_request("The lesson index must be an integer.")
    index = int(raw_index)
    with ctx.db.transaction() as conn:
        package = visible_package(conn, caller, course_id)
    lessons = json.loads(bytes(package["body"]).decode("utf-8")).get("lessons")
    if not isinstance(lessons, list) or not 0 <= index < len(lessons):
        raise ApiError(404, "NOT_FOUND", "This course has no lesson with that index.")
    return json_response(200, lessons[index])


# -- entitlements -------------------------------------------------------------------------------


def entitlements(ctx: Context, caller: Caller, req: Request) -> Response:
    with ctx.db.transaction() as conn:
        enrollments = conn.execute(
            "SELECT * FROM enrollments WHERE user_id = ? ORDER BY created_at, id", (caller.id,)
        ).fetchall()
        purchases = conn.execute(
            "SELECT * FROM purchases WHERE user_id = ? ORDER BY created_at, id", (caller.id,)
        ).fetchall()
    issued = ctx.db.clock()
    valid_until = issued + timedelta(seconds=ctx.settings.lease_seconds)
    return json_response(
        200,
        {
            "userId": caller.id,
            "tenantId": caller.tenant_id,
            "enrollments": [enrollment_json(r) for r in enrollments],
            "purchases": [
                {k: v for k, v in purchase_json(r).items() if k != "userId"} for r in purchases
            ],
            "issuedAt": format_time(issued),
            "validUntil": format_time(valid_until),
        },
    )


# -- store --------------------------------------------------------------------------------------


def _product_json(row: sqlite3.Row) -> dict[str, object]:
    return {
        "id": row["id"],
        "tenantId": row["tenant_id"],
        "courseId": row["course_id"],
        "priceCents": row["price_cents"],
        "currency": row["currency"],
        "active": bool(row["active"]),
    }


def list_products(ctx: Context, caller: Caller, req: Request) -> Response:
    with ctx.db.transaction() as conn:
        rows = conn.execute(
            "SELECT * FROM products WHERE tenant_id = ? AND active = 1 ORDER BY id",
            (caller.tenant_id,),
        ).fetchall()
    return json_response(200, [_product_json(r) for r in rows])


def purchase(ctx: Context, caller: Caller, req: Request) -> Response:
    data = parse_json_object(req.body)
    product_id = require_str(data, "productId")
    key = req.header("Idempotency-Key") or None
    with ctx.db.transaction() as conn:
        if key is not None:
            earlier = conn.execute(
                "SELECT * FROM purchases WHERE user_id = ? AND idempotency_key = ?",
                (caller.id, key),
            ).fetchone()
            if earlier is not None:
                if earlier["product_id"] != product_id:
                    raise bad_request("This Idempotency-Key was used for another product.")
                return json_response(201, purchase_json(earlier))
        product = conn.execute("SELECT * FROM products WHERE id = ?", (product_id,)).fetchone()
        if product is None:
            raise ApiError(404, "NOT_FOUND", "No such product.")
        if product["tenant_id"] != caller.tenant_id:
            raise ApiError(403, "CROSS_TENANT", "This product belongs to another organisation.")
        if not product["active"]:
            raise ApiError(404, "NOT_FOUND", "This product is no longer on sale.")
        created = ctx.db.create_purchase(conn, caller.id, product, key)
    return json_response(201, created)


# -- enrollment ---------------------------------------------------------------------------------


def enroll(ctx: Context, caller: Caller, req: Request) -> Response:
    data = parse_json_object(req.body)
    course_id = require_str(data, "courseId")
    with ctx.db.transaction() as conn:
        if latest_published(conn, caller.tenant_id, course_id) is None:
            raise ApiError(404, "NOT_FOUND", "No such course.")
        existing = conn.execute(
            "SELECT * FROM enrollments WHERE user_id = ? AND course_id = ?",
            (caller.id, course_id),
        ).fetchone()
        if existing is not None:
            return json_response(200, enrollment_json(existing))
        sold = conn.execute(
            "SELECT 1 FROM products WHERE tenant_id = ? AND course_id = ? AND active = 1",
            (caller.tenant_id, course_id),
        ).fetchone()
        bought = conn.execute(
            "SELECT 1 FROM purchases WHERE user_id = ? AND course_id = ?", (caller.id, course_id)
        ).fetchone()
        if sold is not None and bought is None:
            raise ApiError(403, "PURCHASE_REQUIRED", "Buy this course to enroll in it.")
        enrollment, _created = ctx.db.ensure_enrollment(conn, caller.id, course_id)
    return json_response(201, enrollment)
