"""Logins for the web app and API tokens for scripts: argon2 password hashes, throttled
sign-in (growing waits for the client address that fails, kept in the database so that a
restart or a second server does not reset it; no account is locked), sessions that can be
ended, tokens kept only as hashes that expire, may only read, and can be revoked."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
from typing import Any

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, select

from noncoop import clock, people
from noncoop.errors import BadInput, Refused
from noncoop.store.models import ApiTokenRow, PersonRow, SignInFailureRow, UserRow

# argon2's recommended cost (RFC 9106) protects stored passwords. A test suite that signs in
# hundreds of times sets NONCOOP_TEST_CHEAP_HASHES=1 for the cheapest profile; a hash records
# its own parameters, so either hasher verifies the other's.
HASHER = (PasswordHasher.from_parameters(profiles.CHEAPEST)
          if os.environ.get("NONCOOP_TEST_CHEAP_HASHES") == "1" else PasswordHasher())
MIN_PASSWORD = 12


def add_user(db: Session, email: str, role: str, password: str) -> dict[str, Any]:
    """A login. Every role but `admin` belongs to a person of the directory with that role."""
    email = email.strip().lower()
    people.not_reserved(email)
    if role not in people.ROLES:
        raise BadInput(f"unknown role {role!r}: use one of {', '.join(people.ROLES)}", code="unknown_role")
    if role != "admin":
        person = db.exec(select(PersonRow).where(PersonRow.email == email)).first()
        if person is None or person.role != role:
            raise BadInput(f"{email} is not a {role} in the directory: add the person first "
                           f"(noncoop people add --email {email} --role {role} ...)",
                           code="unknown_person")
    if len(password) < MIN_PASSWORD:
        raise BadInput(f"the password is too short: use at least {MIN_PASSWORD} characters")
    if db.exec(select(UserRow).where(UserRow.email == email)).first() is not None:
        raise BadInput(f"{email} already has a login", code="user_exists")
    row = UserRow(email=email, role=role, password_hash=HASHER.hash(password), created_at=clock.now())
    db.add(row)
    db.commit()
    return {"email": row.email, "role": row.role}


FREE_TRIES = 3  # failures from one address on one account before it waits
FREE_TRIES_ANY = 20  # failures from one address on any accounts before it waits
MAX_WAIT = dt.timedelta(minutes=15)
ANY = "*"


def authenticate(db: Session, email: str, password: str, client: str = "local") -> UserRow:
    """The user whose password this is. Failures make the client address wait, longer each
    time (1 s, 2 s, 4 s, ... up to 15 minutes), for that account and, past many, for any: the
    guesser waits, not the account's owner signing in from elsewhere."""
    email = email.strip().lower()
    now = clock.now()
    keys = [(client, email), (client, ANY)]
    waits = [r.wait_until for r in (db.get(SignInFailureRow, k) for k in keys)
             if r is not None and r.wait_until is not None and r.wait_until > now]
    if waits:
        seconds = max(1, int((max(waits) - now).total_seconds()))
        raise Refused(f"too many failed sign-ins from this address: try again in {seconds} "
                      "second(s)", code="locked", retry_after=seconds)
    user = db.exec(select(UserRow).where(UserRow.email == email)).first()
    try:
        if user is None or user.disabled:
            raise VerificationError("no such user")
        HASHER.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        if user is None:
            HASHER.hash(password)  # the same time spent whether the account exists or not
        for key, free in zip(keys, (FREE_TRIES, FREE_TRIES_ANY), strict=True):
            _failed(db, key, free, now)
        db.commit()
        raise BadInput("wrong e-mail or password", code="bad_credentials") from None
    done = db.get(SignInFailureRow, (client, email))
    if done is not None:
        db.delete(done)
        db.commit()
    return user


def _failed(db: Session, key: tuple[str, str], free: int, now: dt.datetime) -> None:
    row = db.get(SignInFailureRow, key) or SignInFailureRow(client=key[0], email=key[1],
                                                           failures=0)
    row.failures += 1
    if row.failures >= free:
        row.wait_until = now + min(dt.timedelta(seconds=2 ** (row.failures - free)), MAX_WAIT)
    db.add(row)


SCOPES = ("read", "act")  # read: GET only; act: everything the person may do


def new_token(db: Session, email: str, name: str, days: int | None = 365,
              scope: str = "act") -> str:
    """A new API token for `email`: shown once, kept as a hash; it expires after `days` (None:
    never) and may be limited to reading."""
    user = _user(db, email)
    if scope not in SCOPES:
        raise BadInput(f"unknown scope {scope!r}: use read (GET only) or act", code="bad_scope")
    if days is not None and not 1 <= days <= 3660:
        raise BadInput("--days must be from 1 to 3660 (ten years)", code="bad_days")
    token = "nc_" + secrets.token_urlsafe(32)
    now = clock.now()
    db.add(ApiTokenRow(email=user.email, name=name, token_hash=_hash(token), created_at=now,
                       scope=scope,
                       expires_at=now + dt.timedelta(days=days) if days is not None else None))
    db.commit()
    return token


def token_of(db: Session, token: str) -> tuple[UserRow, ApiTokenRow] | None:
    """The login and the token row of a bearer token still good: not revoked, not expired, of a
    login not disabled."""
    row = db.exec(select(ApiTokenRow).where(ApiTokenRow.token_hash == _hash(token),
                                            ApiTokenRow.revoked == False)).first()  # noqa: E712
    if row is None or (row.expires_at is not None and row.expires_at <= clock.now()):
        return None
    user = db.exec(select(UserRow).where(UserRow.email == row.email)).first()
    return (user, row) if user is not None and not user.disabled else None


def revoke_tokens(db: Session, email: str, name: str | None = None) -> int:
    """Revoke `email`'s tokens named `name` (all of them without a name): how many."""
    user = _user(db, email)
    query = select(ApiTokenRow).where(ApiTokenRow.email == user.email,
                                      ApiTokenRow.revoked == False)  # noqa: E712
    if name is not None:
        query = query.where(ApiTokenRow.name == name)
    rows = db.exec(query).all()
    if name is not None and not rows:
        raise BadInput(f"{user.email} has no token named {name!r} in force: see the names given "
                       "with noncoop user token", code="unknown_token")
    for row in rows:
        row.revoked = True
        db.add(row)
    db.commit()
    return len(rows)


def end_sessions(db: Session, email: str) -> None:
    """Every open session of `email` ends at once (sign-out, a disabled login, a new password):
    the cookie is signed, so it cannot be taken back; its generation can be left behind."""
    user = _user(db, email)
    user.session_gen += 1
    db.add(user)
    db.commit()


def session_holds(db: Session, email: str, generation: int | None) -> bool:
    """Whether a session signed in as `email` at `generation` is still good."""
    user = db.exec(select(UserRow).where(UserRow.email == email)).first()
    return user is not None and not user.disabled and generation == user.session_gen


def disable(db: Session, email: str) -> dict[str, Any]:
    """The login can no longer sign in; its sessions end and its tokens stop working."""
    user = _user(db, email)
    user.disabled = True
    user.session_gen += 1
    db.add(user)
    db.commit()
    return {"email": user.email, "disabled": True}


def set_password(db: Session, email: str, password: str) -> dict[str, Any]:
    """A new password: every session signed in with the old one ends."""
    user = _user(db, email)
    if len(password) < MIN_PASSWORD:
        raise BadInput(f"the password is too short: use at least {MIN_PASSWORD} characters")
    user.password_hash = HASHER.hash(password)
    user.session_gen += 1
    db.add(user)
    db.commit()
    return {"email": user.email, "password": "changed"}


def _user(db: Session, email: str) -> UserRow:
    user = db.exec(select(UserRow).where(UserRow.email == email.strip().lower())).first()
    if user is None:
        raise BadInput(f"{email} has no login: noncoop user add first", code="unknown_user")
    return user


def admin_login(db: Session, email: str) -> bool:
    """Whether `email` is a web administrator (not in the directory of people)."""
    user = db.exec(select(UserRow).where(UserRow.email == email)).first()
    return user is not None and user.role == "admin" and not user.disabled


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
