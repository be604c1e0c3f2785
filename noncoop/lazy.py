"""A module imported when first used. The command line names the services, the access rules and
the store at its top, but `noncoop --help` or a command that fails on its arguments needs none
of them: importing SQLAlchemy, the ORM models and what they pull in would cost most of a second
every time a person or a script runs a command (bench/cli.py measures it)."""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


class Lazy:
    """Stands for the module `name`; the first attribute read imports it."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._module: ModuleType | None = None

    def __getattr__(self, attr: str) -> Any:
        if self._module is None:
            self._module = importlib.import_module(self._name)
        return getattr(self._module, attr)

    def __repr__(self) -> str:
        return f"<lazy module {self._name}>"
