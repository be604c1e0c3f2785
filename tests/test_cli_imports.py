"""The command line imports only what a command uses (issue 19): `noncoop --help` none of the
database, web, documents or holidays; a command that reads a case the ORM, not the web stack,
the documents, the migrations or the holiday tables. Checked in a fresh interpreter, by what
sys.modules holds after the command ran."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from noncoop import clock, services

# Top-level packages no command that reads a case needs.
NEVER_FOR_A_READ = {"fastapi", "starlette", "uvicorn", "jinja2", "weasyprint", "docx", "alembic",
                    "holidays", "apscheduler", "aiosmtplib", "argon2", "rich", "icalendar",
                    "babel"}
# The services that record steps or build the dashboard, which showing a case does not use.
NOT_FOR_SHOWING = {"noncoop.services.steps", "noncoop.services.dashboard", "noncoop.tasks",
                   "noncoop.notify"}
# And --help needs not even the database.
NOT_FOR_HELP = NEVER_FOR_A_READ | {"sqlalchemy", "sqlmodel", "transitions", "yaml", "pydantic"}

PROBE = """
import json, sys
sys.argv = ["noncoop", *json.loads(sys.argv[1])]
from noncoop import cli
try:
    cli.main()
except SystemExit:
    pass
print("\\n" + json.dumps(sorted({m.split(".")[0] for m in sys.modules} |
                               {m for m in sys.modules if m.startswith("noncoop")})))
"""


def _imported(args: list[str], env: dict[str, str] | None = None) -> set[str]:
    out = subprocess.run([sys.executable, "-c", PROBE, json.dumps(args)], capture_output=True,
                         text=True, check=True, env=env).stdout
    return set(json.loads(out.rstrip().rsplit("\n", 1)[1]))


def test_help_imports_neither_the_database_nor_the_web():
    imported = _imported(["--help"])
    assert "noncoop.cli" in imported
    assert imported & NOT_FOR_HELP == set()
    assert not {m for m in imported if m.startswith(("noncoop.store", "noncoop.services"))}


def test_showing_a_case_imports_the_orm_and_nothing_of_the_web_or_documents(db, database_url):
    case = services.open_case(db, state="Mongolia", scenario="7a", decision_ref="ICC-01/22-90",
                              decision_date=clock.today(), referred_to=["assembly"])
    imported = _imported(["case", "show", case["id"], "--json"],
                         env={**os.environ, "NONCOOP_DATABASE_URL": database_url})
    assert {"sqlmodel", "noncoop.services"} <= imported  # the command did run
    assert imported & NEVER_FOR_A_READ == set()
    assert not {m for m in imported if m.startswith(("noncoop.web", "noncoop.letters"))}
    assert imported & NOT_FOR_SHOWING == set()
