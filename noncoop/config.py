"""Settings: defaults in config/, overridden by the YAML file named in NONCOOP_CONFIG
(e.g. `deadlines: {open_letter_reply: {days: 45}}`)."""

from __future__ import annotations

import datetime as dt
import os
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from noncoop import resources, yamlfile
from noncoop.errors import BadInput

CONFIG_DIR = resources.CONFIG


@cache
def _overrides(path: str | None) -> dict[str, Any]:
    if not path:
        return {}
    try:
        data = yamlfile.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise BadInput(f"cannot read the settings file NONCOOP_CONFIG={path}: {exc}") from None
    if not isinstance(data, dict):
        raise BadInput(f"the settings file {path} must be a mapping of sections")
    return data


def _section(name: str) -> dict[str, Any]:
    """config/NAME.yaml with the NONCOOP_CONFIG overrides of section NAME applied per key.
    Read once per settings file (a letter asks several times): treat the result as read-only."""
    return _merged(name, os.environ.get("NONCOOP_CONFIG"))


@cache
def _merged(name: str, overrides: str | None) -> dict[str, Any]:
    base = yamlfile.safe_load((CONFIG_DIR / f"{name}.yaml").read_text(encoding="utf-8"))
    for key, value in _overrides(overrides).get(name, {}).items():
        base[key] = {**base.get(key, {}), **value} if isinstance(value, dict) else value
    return base


def deadlines() -> dict[str, Any]:
    """The deadline numbers: config/deadlines.yaml with the overrides applied per rule."""
    return _section("deadlines")


def closures() -> tuple[dt.date, ...]:
    return tuple(dt.date.fromisoformat(str(d)) for d in deadlines().get("closures") or ())


def scheduler() -> dict[str, Any]:
    """The scheduler's settings (`scheduler: {sweep_minutes: 5}` in NONCOOP_CONFIG)."""
    defaults = {"sweep_minutes": 5}
    return {**defaults, **_overrides(os.environ.get("NONCOOP_CONFIG")).get("scheduler", {})}


def letters() -> dict[str, Any]:
    """Letter settings: config/letters.yaml with the `letters:` overrides applied."""
    return _section("letters")


def notify() -> dict[str, Any]:
    """Outbox and dispatcher settings: config/notify.yaml with the `notify:` overrides."""
    return _section("notify")


def base_url() -> str:
    """The address people reach the web app at (NONCOOP_BASE_URL), for links in feeds and
    e-mails: never the Host header of a request, which anyone can set."""
    url = os.environ.get("NONCOOP_BASE_URL", "http://127.0.0.1:8000").strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise BadInput(f"NONCOOP_BASE_URL={url!r} is not a web address: write it as "
                       "https://noncoop.example.org")
    return url


def base_url_given() -> bool:
    """Whether NONCOOP_BASE_URL is set: what must never change once published (the ids of the
    Atom feed) is not made from the default address."""
    return bool(os.environ.get("NONCOOP_BASE_URL", "").strip())
