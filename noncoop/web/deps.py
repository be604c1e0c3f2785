"""What every route depends on: a database session, who is signed in (a session cookie or an
API token), the CSRF check for forms, the bounds of the dates a request may give (dates.py),
and errors as `{"error": ...}` with their HTTP code."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import JSONResponse
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from pydantic import AfterValidator
from sqlmodel import Session

from noncoop.accounts import session_holds, token_of
from noncoop.dates import day_problem
from noncoop.errors import BadInput, Conflict, NoncoopError, NotFound, Refused
from noncoop.store import db as store
from noncoop.store import memo


def _in_range(day: dt.date) -> dt.date:
    problem = day_problem(day)
    if problem:
        raise ValueError(problem)
    return day


Day = Annotated[dt.date, AfterValidator(_in_range)]


def get_db() -> Iterator[Session]:
    """A session for the request, which reads the reader, a case and the calendar once
    between two commits however many services ask (store/memo.py)."""
    with store.session() as db, memo.remembering(db):
        yield db


Db = Annotated[Session, Depends(get_db)]


class Unauthenticated(NoncoopError):
    exit_code = 1
    code = "unauthenticated"


class CsrfFailed(NoncoopError):
    exit_code = 1
    code = "csrf"


def status_of(exc: NoncoopError) -> int:
    if isinstance(exc, Unauthenticated):
        return 401
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, Conflict):
        return 409
    if exc.code == "locked":  # sign-ins throttled: the client is to wait, not to give up
        return 429
    if isinstance(exc, Refused | CsrfFailed):
        return 403
    if isinstance(exc, BadInput):
        return 400 if exc.code != "bad_credentials" else 401
    return 400


def retry_after(exc: NoncoopError) -> dict[str, str]:
    """The Retry-After header of a refusal that says how long to wait (RFC 9110, 10.2.3)."""
    seconds = exc.details.get("retry_after")
    return {"Retry-After": str(seconds)} if seconds is not None else {}


def error_response(exc: NoncoopError) -> JSONResponse:
    return JSONResponse(exc.to_json(), status_code=status_of(exc), headers=retry_after(exc))


def signed_in(request: Request, db: Session) -> str | None:
    """The e-mail of whoever makes the request: a bearer token, else the session cookie."""
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        found = token_of(db, auth[7:].strip())
        if found is None:
            return None
        if found[1].scope == "read" and request.method not in ("GET", "HEAD", "OPTIONS"):
            raise Refused("refused by rule permission: this API token may only read (scope "
                          "read); ask for a token with --scope act", code="permission",
                          rule="permission", paragraph="23")
        return found[0].email
    email = request.session.get("email")
    if email is not None and not session_holds(db, email, request.session.get("gen")):
        request.session.clear()  # signed out elsewhere, disabled, or a new password since
        return None
    return email


# The two ways to sign in, declared so that the OpenAPI document names them (its security
# schemes); `signed_in` reads them. Neither refuses by itself (auto_error=False): who is missing
# gets the 401 below, in the error format.
BEARER = HTTPBearer(auto_error=False, scheme_name="bearer", description=(
    "An API token: `noncoop user token EMAIL` (--scope read for a token that may only read)"))
SESSION = APIKeyCookie(name="noncoop", auto_error=False, scheme_name="session", description=(
    "The web session, from signing in at /login; a request that writes with it also sends "
    "the session's CSRF token as X-CSRF-Token"))


def current_email(request: Request, db: Db,
                  _bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)],
                  _session: Annotated[str | None, Depends(SESSION)]) -> str:
    email = signed_in(request, db)
    if email is None:
        raise Unauthenticated("sign in first (POST /login), or send Authorization: Bearer TOKEN "
                              "(noncoop user token EMAIL)")
    return email


User = Annotated[str, Depends(current_email)]


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(24)
    return token


async def check_csrf(request: Request) -> None:
    """Unsafe requests made with the session cookie carry the session's CSRF token (a form
    field or the X-CSRF-Token header); a bearer token needs none (no cookie is involved)."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if request.headers.get("authorization", "").lower().startswith("bearer "):
        return
    if request.url.path.startswith("/api/") and not request.session.get("email"):
        return  # no session to ride on: the API answers 401 (current_email), as to every anonymous
    sent = request.headers.get("x-csrf-token")
    if sent is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        sent = (await request.form()).get("csrf")  # type: ignore[assignment]
    expected = request.session.get("csrf")
    if not expected or not sent or not secrets.compare_digest(str(sent), expected):
        raise CsrfFailed("the form is out of date or was not sent from this site: reload the page "
                         "and try again")
