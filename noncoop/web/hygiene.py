"""Bad bytes stop at the door: every request is checked before a route sees it, so that no
text a database or a mail header cannot hold (a NUL, an unpaired surrogate) and no body or
parameter list larger than the work needs reaches the services, and the answer is a 4xx in the
error format, never a 500.

Limits (documented in the README): a body of at most NONCOOP_MAX_BODY_BYTES (default 1 MiB:
the largest form or JSON the app takes is a few kilobytes), at most 100 query or form
parameters, at most 1,000 values in a JSON body."""

from __future__ import annotations

import json
import os
from typing import Any
from urllib.parse import parse_qsl

from noncoop.errors import BadInput

MAX_PARAMS = 100
MAX_JSON_VALUES = 1000


class TooLarge(BadInput):
    code = "too_large"


def max_body() -> int:
    try:
        return int(os.environ.get("NONCOOP_MAX_BODY_BYTES", 1024 * 1024))
    except ValueError:
        raise BadInput("NONCOOP_MAX_BODY_BYTES must be a whole number of bytes, e.g. "
                       "1048576") from None


def bad_text(text: str) -> str | None:
    """What makes `text` unfit to store or send, or None."""
    if "\x00" in text:
        return "a NUL character"
    if any("\ud800" <= c <= "\udfff" for c in text):
        return "an unpaired surrogate (text that is not valid Unicode)"
    return None


def check_text(where: str, text: str) -> None:
    problem = bad_text(text)
    if problem:
        raise BadInput(f"the {where} holds {problem}: send UTF-8 text without control bytes",
                       code="bad_text")


def check_request(path: str, query: str, content_type: str, length: str | None) -> None:
    """What can be judged before the body is read: the path, the query, the declared size."""
    check_text("path", path)
    pairs = parse_qsl(query, keep_blank_values=True, max_num_fields=None)
    if len(pairs) > MAX_PARAMS:
        raise BadInput(f"the query has {len(pairs)} parameters; at most {MAX_PARAMS} are taken",
                       code="too_many_params")
    for key, value in pairs:
        check_text("query", key + value)
    if length is not None:
        try:
            size = int(length)
        except ValueError:
            raise BadInput("Content-Length is not a number", code="bad_request") from None
        if size > max_body():
            raise TooLarge(f"the body is {size} bytes; at most {max_body()} are taken")


def check_body(body: bytes, content_type: str) -> None:
    """The body, once read: its size, and for JSON and forms every text in it."""
    if len(body) > max_body():
        raise TooLarge(f"the body is {len(body)} bytes; at most {max_body()} are taken")
    if not body:
        return
    if content_type.startswith("application/json"):
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):
            return  # the route answers malformed JSON itself (422, in the error format)
        try:
            _check_json(data, [0])
        except RecursionError:
            raise BadInput("the JSON body is nested too deep", code="too_many_params") from None
    elif content_type.startswith("application/x-www-form-urlencoded"):
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise BadInput("the form is not UTF-8 text", code="bad_text") from None
        pairs = parse_qsl(text, keep_blank_values=True)
        if len(pairs) > MAX_PARAMS:
            raise BadInput(f"the form has {len(pairs)} fields; at most {MAX_PARAMS} are taken",
                           code="too_many_params")
        for key, value in pairs:
            check_text("form", key + value)


def _check_json(value: Any, seen: list[int]) -> None:
    seen[0] += 1
    if seen[0] > MAX_JSON_VALUES:
        raise BadInput(f"the JSON body holds more than {MAX_JSON_VALUES} values",
                       code="too_many_params")
    if isinstance(value, str):
        check_text("JSON body", value)
    elif isinstance(value, dict):
        for key, item in value.items():
            check_text("JSON body", key)
            _check_json(item, seen)
    elif isinstance(value, list):
        for item in value:
            _check_json(item, seen)
