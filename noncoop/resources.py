"""Where the procedure files, the settings, the letter templates and the benchmarks are.

They are kept at the top of the repository (`workflows/`, `config/`, `letters/`, `bench/`). A
built wheel carries a copy of each in `noncoop/_data/` (setup.py), so an installed noncoop reads
its own; a checkout, or an editable install of it, has no `_data/` and reads the repository's.
An environment variable puts another directory, laid out like the repository's folder, in place
of one of them: NONCOOP_WORKFLOWS_DIR, NONCOOP_CONFIG_DIR, NONCOOP_LETTERS_DIR.

Readers take real directories (Jinja2's FileSystemLoader, WeasyPrint's base_url), which an
installed wheel has: pip unpacks it."""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _where(name: str, variable: str | None = None) -> Path:
    if variable and os.environ.get(variable):
        return Path(os.environ[variable]).expanduser().resolve()
    installed = _PACKAGE / "_data" / name
    return installed if installed.is_dir() else _PACKAGE.parent / name


WORKFLOWS = _where("workflows", "NONCOOP_WORKFLOWS_DIR")
CONFIG = _where("config", "NONCOOP_CONFIG_DIR")
LETTERS = _where("letters", "NONCOOP_LETTERS_DIR")
BENCH = _where("bench")
