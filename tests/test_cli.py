"""The command line end to end, in a temporary directory, as a user would run it: one story
in a process of its own (the entry point, exit codes, no traceback), the rest in this process."""

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.fixture
def process(database_url, tmp_path: Path):
    """A command as a person runs it: a process of its own, through the module's entry point."""
    env = {**os.environ, "NONCOOP_DATABASE_URL": database_url}

    def _run(*args: str) -> tuple[int, dict | list | None, str]:
        proc = subprocess.run([sys.executable, "-m", "noncoop.cli", *args], cwd=tmp_path,
                              env=env, capture_output=True, text=True, timeout=60)
        assert "Traceback" not in proc.stderr + proc.stdout
        try:
            out = json.loads(proc.stdout) if "--json" in args else None
        except json.JSONDecodeError:
            pytest.fail(f"not JSON on stdout: {proc.stdout!r}")
        return proc.returncode, out, proc.stderr

    return _run


@pytest.fixture
def run(cli):
    """A command run in this process (conftest's `cli`): the same answers, without a start-up."""
    def _run(*args: str) -> tuple[int, dict | list | None, str]:
        said = cli(*args)
        return said.code, said.json if "--json" in args else None, said.stderr
    return _run


@pytest.fixture(params=["in-process", pytest.param("process", marks=[
    pytest.mark.slow, pytest.mark.one_database])])  # the entry point does not vary with the server
def either(request, database_url):
    """The story below, run in this process on each database, and once as real processes."""
    return request.getfixturevalue("run" if request.param == "in-process" else "process")


def test_the_mongolia_case_through_the_cli(either):
    run = either
    assert run("init", "--json")[0] == 0
    assert run("init", "--json")[0] == 0  # idempotent
    code, session, _ = run("calendar", "add-session", "--number", "23", "--start", "2024-12-02",
                           "--end", "2024-12-07", "--venue", "The Hague", "--json")
    assert code == 0 and session["start"] == "2024-12-02"
    assert run("calendar", "add-bureau-meeting", "--date", "2024-11-05", "--place", "New York",
               "--json")[0] == 0
    code, cal, _ = run("calendar", "list", "--json")
    assert [s["number"] for s in cal["sessions"]] == [23]
    assert cal["bureau_meetings"][0]["date"] == "2024-11-05"
    code, case, _ = run("case", "open", "--state", "Mongolia", "--scenario", "7a", "--decision-ref",
                        "ICC-01/22-90", "--decision-date", "2024-10-24", "--referred-to",
                        "assembly", "--request", "art89", "--person", "Vladimir Putin", "--json")
    assert code == 0 and case["id"] == "NC-2024-001" and case["state"] == "Mongolia"
    code, shown, _ = run("case", "act", case["id"], "open_letter", "--on", "2024-10-28",
                         "--param", "action=send", "--param", "reply_days=30", "--json")
    reply = next(d for d in shown["deadlines"] if d["kind"] == "reply")
    assert code == 0 and reply["due"] == "2024-11-27"
    assert run("case", "act", case["id"], "bureau_hearing", "--on", "2024-11-05", "--json")[0] == 0
    code, err, _ = run("case", "act", case["id"], "nywg_public_meeting", "--on", "2024-11-10", "--json")
    assert code == 1
    assert err["error"]["rule"] == "three_month_rule" and "14(d)" in err["error"]["message"]
    code, rows, _ = run("case", "list", "--status", "open", "--json")
    assert code == 0 and [r["id"] for r in rows] == ["NC-2024-001"]
    code, shown, _ = run("case", "show", "NC-2024-001", "--json")
    assert code == 0 and shown["history"][0]["event"] == "case_opened"


def test_a_database_without_tables_asks_for_init(tmp_path: Path):
    env = {**os.environ, "NONCOOP_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}"}
    proc = subprocess.run([sys.executable, "-m", "noncoop.cli", "case", "list", "--json"],
                          env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "noncoop init" in json.loads(proc.stdout)["error"]["message"]


def test_bad_input_exits_2_with_what_to_do(run):
    run("init")
    code, err, _ = run("case", "open", "--state", "Mongolia", "--scenario", "7a",
                       "--decision-ref", "x", "--decision-date", "2024-13-45",
                       "--referred-to", "assembly", "--json")
    assert code == 2 and "YYYY-MM-DD" in err["error"]["message"]
    code, err, _ = run("case", "open", "--state", "Atlantis", "--scenario", "7b",
                       "--summary", "x", "--json")
    assert code == 2 and err["error"]["code"] == "unknown_state"
    code, err, _ = run("case", "show", "NC-2024-999", "--json")
    assert code == 2 and "case list" in err["error"]["message"]
    code, _, stderr = run("case", "show", "NC-2024-999")
    assert code == 2 and stderr.startswith("error: no case")


def test_demo_loads_real_findings_and_sessions(run):
    code, result, _ = run("demo", "--json")
    assert code == 0 and result["cases"] >= 10 and result["sessions"] >= 15
    code, rows, _ = run("case", "list", "--json")
    by_state = {(r["state"], r["decision"]["date"]): r for r in rows}
    assert by_state[("Jordan", "2017-12-11")]["status"] == "closed"  # reversed on appeal
    assert by_state[("South Africa", "2017-07-06")]["scenario"] == "monitoring"
    malawi = by_state[("Malawi", "2011-12-12")]
    code, shown, _ = run("case", "show", malawi["id"], "--json")
    assert next(s for s in shown["steps"] if s["step"] == "omnibus_notation")["status"] == "done"
    # Decided during the tenth session: that on-going session notes it (para 14(e)).
    noted = next(s for s in shown["steps"] if s["step"] == "omnibus_notation")
    assert noted["details"]["session"] == "10 regular"
    assert run("demo", "--json")[1]["note"].startswith("cases already present")


def test_jordan_and_mongolia_replayed_get_no_deadline_before_their_decision(run):
    """Jordan (decision 11 Dec 2017, during the sixteenth session, 4-14 Dec): the report goes to
    the seventeenth session (para 15). Mongolia (24 Oct 2024): the hearing invitation goes to
    the first Bureau meeting ten days ahead of the decision (para 14(c))."""
    run("demo")
    code, rows, _ = run("case", "list", "--json")
    jordan = next(r for r in rows if (r["state"], r["decision"]["date"]) == ("Jordan", "2017-12-11"))
    code, shown, _ = run("case", "show", jordan["id"], "--json")
    report = next(d for d in shown["deadlines"] if d["step"] == "bureau_report")
    assert (report["due"], report["session"]) == ("2018-11-05", "17 regular")
    assert all(d["due"] >= "2017-12-11" for d in shown["deadlines"])
    # Closed on appeal (6 May 2019): what was still outstanding closed with the case.
    assert report["status"] == "closed"
    for day in ("2024-10-28", "2024-11-05"):
        assert run("calendar", "add-bureau-meeting", "--date", day, "--json")[0] == 0
    code, case, _ = run("case", "open", "--state", "Mongolia", "--scenario", "7a", "--decision-ref",
                        "ICC-01/22-90", "--decision-date", "2024-10-24", "--referred-to",
                        "assembly", "--json")
    invitation = next(d for d in case["deadlines"] if d["kind"] == "invitation")
    assert invitation["due"] == "2024-10-26" and "2024-11-05" in invitation["basis"]
    assert all(d["due"] >= "2024-10-24" for d in case["deadlines"])
    code, late, _ = run("case", "act", case["id"], "forward_decision", "--on", "2024-11-19",
                        "--json")
    forwarded = next(d for d in late["deadlines"] if d["step"] == "forward_decision")
    assert code == 0 and (forwarded["status"], forwarded["days_late"]) == ("late", 25)


def test_sweep_and_deadlines_through_the_cli(run, cli):
    run("init")
    code, case, _ = run("case", "open", "--state", "Mongolia", "--scenario", "7a", "--decision-ref",
                        "ICC-01/22-90", "--decision-date", "2024-10-24", "--referred-to",
                        "assembly", "--json")
    run("case", "act", case["id"], "open_letter", "--on", "2024-10-28", "--json")
    code, rows, _ = run("deadlines", "--as-of", "2024-11-01", "--json")
    assert code == 0 and all(r["case_id"] == case["id"] for r in rows)
    reply = next(r for r in rows if r["kind"] == "reply")
    assert reply["due"] == "2024-11-27" and reply["days_left"] == 26
    code, result, _ = run("sweep", "--as-of", "2024-11-29", "--json")
    assert code == 0 and result["as_of"] == "2024-11-29"
    assert {"case_id": case["id"], "step": "open_letter", "kind": "reply", "due": "2024-11-27",
            "status": "missed"} in result["changed"]
    assert {(n["step"], n["kind"]) for n in result["notices"]} >= {("open_letter", "missed")}
    code, again, _ = run("sweep", "--as-of", "2024-11-29", "--json")
    assert again == {"as_of": "2024-11-29", "changed": [], "notices": [], "skipped": []}
    code, mine, _ = run("deadlines", "--who", "secretariat", "--json")
    assert code == 0 and [(r["step"], r["status"]) for r in mine] == [("forward_decision", "missed")]
    code, err, _ = run("deadlines", "--case", "NC-1999-001", "--json")
    assert code == 2 and err["error"]["code"] == "unknown_case"
    assert "capitals" not in err["error"]["message"]
    # Typed in small letters: found by no one, and told how case numbers are written.
    code, err, _ = run("case", "show", case["id"].lower(), "--json")
    assert code == 2 and err["error"]["code"] == "unknown_case"
    assert err["error"]["message"].endswith(f"(written in capitals: {case['id']})")
    # A role no deadline is held by lists nothing, as if nothing were due: it is refused.
    code, err, _ = run("deadlines", "--who", "bureau_member", "--json")
    assert code == 2 and err["error"]["code"] == "unknown_role"
    assert "president_office, secretariat" in err["error"]["message"]
    said = cli("deadlines", "--as-of", "2024-11-29")
    assert said.code == 0 and "open_letter (reply)  president_office, 2 days late" in said.stdout
    assert "open_letter (reply)  president_office, 1 day late" in cli(
        "deadlines", "--as-of", "2024-11-28").stdout


def test_letters_through_the_cli(run, tmp_path: Path):
    run("init")
    run("calendar", "add-session", "--number", "23", "--start", "2024-12-02", "--end", "2024-12-07",
        "--venue", "The Hague")
    code, case, _ = run("case", "open", "--state", "Mongolia", "--scenario", "7a", "--decision-ref",
                        "ICC-01/22-90", "--decision-date", "2024-10-24", "--referred-to",
                        "assembly", "--json")
    code, names, _ = run("letters", "templates", "--json")
    assert code == 0 and {"open_letter", "forward_decision", "unsc_letter"} <= {n["template"] for n in names}
    code, err, _ = run("letters", "render", case["id"], "open_letter", "--format", "docx", "--json")
    assert code == 2 and "-o" in err["error"]["message"]
    code, drafted, _ = run("letters", "render", case["id"], "open_letter", "--lang", "fr",
                           "--format", "docx", "-o", str(tmp_path / "lettre.docx"), "--json")
    assert code == 0 and (tmp_path / "lettre.docx").stat().st_size == drafted["bytes"]
    code, issued, _ = run("letters", "issue", case["id"], "forward_decision", "--on", "2024-10-25",
                          "--json")
    assert code == 0 and issued["reference"] == "ICC-ASP/23/S/1"
    code, listed, _ = run("letters", "list", "--json")
    assert [r["reference"] for r in listed] == ["ICC-ASP/23/S/1"]
    out = tmp_path / "issued.html"
    code, shown, _ = run("letters", "show", "ICC-ASP/23/S/1", "-o", str(out), "--json")
    assert code == 0 and hashlib.sha256(out.read_bytes()).hexdigest() == issued["sha256"]
    code, err, _ = run("letters", "show", "ICC-ASP/99/S/9", "--json")
    assert code == 2 and err["error"]["code"] == "unknown_letter_reference"


def test_as_acts_with_that_persons_permissions_and_visibility(run):
    run("init")
    code, urgent, _ = run("case", "open", "--state", "Mongolia", "--scenario", "7b", "--summary",
                          "visit announced", "--travel-date", "2099-01-10", "--json")
    assert code == 0 and urgent["travel"]["days_left"] > 0
    run("people", "add", "--name", "FP", "--email", "fp@example.org", "--role", "focal_point",
        "--region", "African", "--from", "2024-01-01")
    code, listed, _ = run("case", "list", "--as", "fp@example.org", "--json")
    assert code == 0 and listed == []
    code, err, _ = run("case", "show", urgent["id"], "--as", "fp@example.org", "--json")
    assert code == 2 and err["error"]["code"] == "unknown_case"
    code, err, _ = run("people", "add", "--name", "X", "--email", "x@example.org", "--role",
                       "bureau", "--as", "fp@example.org", "--json")
    assert code == 1 and err["error"]["rule"] == "permission"


@pytest.mark.slow
@pytest.mark.one_database  # the benchmarks make SQLite files of their own
def test_bench_prints_ratios_in_the_interface_shape(process):
    # A process of its own: the benchmarks are imported from bench/, which stays out of this one.
    code, out, _ = process("bench", "--quick", "--only", "letters", "--json")
    assert code == 0
    names = {b["name"] for b in out["benchmarks"]}
    assert names == {"letter_html", "letter_docx"}
    html = next(b for b in out["benchmarks"] if b["name"] == "letter_html")
    assert set(html) >= {"name", "value", "unit", "baseline", "ratio", "target"}
    assert html["ratio"] == pytest.approx(html["value"] / html["baseline"])


def test_audit_verify_names_the_first_broken_link(run, database_url):
    import sqlalchemy as sa

    from noncoop.store import db as store

    run("init")
    code, case, _ = run("case", "open", "--state", "Mongolia", "--scenario", "7a", "--decision-ref",
                        "ICC-01/22-90", "--decision-date", "2024-10-24", "--referred-to",
                        "assembly", "--json")
    run("case", "act", case["id"], "forward_decision", "--on", "2024-10-25")
    code, ok, _ = run("audit", "verify", "--json")
    assert code == 0 and (ok["ok"], ok["cases"], ok["events"], ok["signed"]) == (True, 1, 2, False)
    with store.get_engine(database_url).begin() as conn:
        conn.execute(sa.text("UPDATE events SET by = 'someone else' WHERE seq = 2"))
    code, err, _ = run("audit", "verify", "--json")
    assert code == 1 and err["error"]["code"] == "audit_broken"
    assert err["error"]["first_broken"]["seq"] == 2 and case["id"] in err["error"]["message"]


def test_a_password_is_asked_on_a_terminal_or_read_with_password_stdin(cli):
    cli("demo")
    # Piped without --password-stdin, there is no one to ask: said so, and nothing is added.
    said = cli("user", "add", "--email", "president@example.org", "--role", "president_office",
               "--json", input="a long enough password\n")
    assert said.code == 2 and said.json["error"]["code"] == "no_terminal"
    assert "--password-stdin" in said.json["error"]["message"]
    said = cli("user", "add", "--email", "president@example.org", "--role", "president_office",
               "--password-stdin", "--json", input="a long enough password\n")
    assert said.code == 0 and said.json["email"] == "president@example.org"
