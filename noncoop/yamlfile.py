"""YAML read with libyaml's parser where PyYAML was built with it: the workflows, the calendar
and the States are read by nearly every command, and the pure-Python parser took half a second
of each (bench/cli.py). Both parsers resolve the same YAML 1.1 types (safe_load's)."""

from __future__ import annotations

from typing import IO, Any

import yaml

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(source: str | bytes | IO[str] | IO[bytes]) -> Any:
    return yaml.load(source, Loader=LOADER)  # noqa: S506 - a safe loader, C or Python
