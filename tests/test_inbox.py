"""The inbox of the person signed in (/tasks, /tasks/ID): a focal point asked to assist (paras
20, 22) completes or declines his or her task on the page, with a note, under the same rules
and with the same event on the case as `noncoop tasks done|decline`; nobody sees another's
task; the forms carry the CSRF token. Then the same in a real browser (chromium)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from live import PASSWORD, needs_chromium, serving

from noncoop import accounts, people, services, tasks

D = dt.date
SHOTS = Path(__file__).resolve().parents[1] / "test-output" / "inbox"  # to be looked at
PEOPLE = {"fp_asia": ("focal_point", "Asia-Pacific", "en"),
          "fp_africa": ("focal_point", "African", "fr"),
          "secretariat": ("secretariat", None, "en")}


@pytest.fixture
def world(db, monkeypatch):
    monkeypatch.setenv("NONCOOP_SECRET_KEY", "test-secret")
    for who, (role, region, lang) in PEOPLE.items():
        people.add_person(db, name=who, email=f"{who}@example.org", role=role, region=region,
                          lang=lang, active_from=D(2024, 1, 1))
        accounts.add_user(db, f"{who}@example.org", role, PASSWORD)
    services.add_session(db, 23, D(2024, 12, 2), D(2024, 12, 7), "The Hague")
    services.open_case(db, state="Mongolia", scenario="7a", decision_ref="ICC-01/22-90",
                       decision_date=D(2024, 10, 24), referred_to=["assembly"])
    urgent = services.open_case(db, state="Mongolia", scenario="7b",
                                summary="A visit announced for 3 September")["id"]
    services.act(db, urgent, "good_offices_activate", on=D(2024, 8, 30),
                 params={"court_consulted": "2024-08-29"})
    for what, due in (("Contact the Foreign Ministry", "2024-09-02"),
                      ("Brief the regional group", "2024-09-05")):
        services.act(db, urgent, "request_assistance", on=D(2024, 8, 31),
                     params={"task": what, "due": due})
    mine = {t["title"]: t["id"] for t in tasks.list_tasks(db, "fp_asia@example.org")}
    deadline_task = next(t["id"] for t in tasks.list_tasks(db, "secretariat@example.org")
                         if t["assignee"] == "secretariat")
    return {"case": urgent, "contact": mine["Contact the Foreign Ministry"],
            "brief": mine["Brief the regional group"], "secretariat": deadline_task}


def client_as(who: str) -> TestClient:
    from noncoop.web.app import create_app

    client = TestClient(create_app())
    page = client.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    signed = client.post("/login", data={"email": f"{who}@example.org", "password": PASSWORD,
                                         "csrf": csrf}, follow_redirects=False)
    assert signed.status_code == 303, signed.text
    return client


def form_csrf(client: TestClient, path: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', client.get(path).text).group(1)


def flash_of(client: TestClient, path: str) -> str:
    found = re.search(r'<p class="flash (\w+)" role="status">(.*?)</p>', client.get(path).text, re.S)
    return f"{found.group(1)}: {found.group(2)}" if found else ""


def test_a_focal_point_completes_and_declines_tasks_with_notes_on_the_record(db, world):
    fp = client_as("fp_asia")
    inbox = fp.get("/tasks")
    assert inbox.status_code == 200
    for n in (world["contact"], world["brief"]):
        assert f'href="/tasks/{n}"' in inbox.text and f"Task no. {n}" in inbox.text
    page = fp.get(f"/tasks/{world['contact']}")
    assert "Contact the Foreign Ministry" in page.text and "2 Sept 2024" in page.text
    assert f'action="/tasks/{world["contact"]}/done"' in page.text
    assert f'action="/tasks/{world["contact"]}/decline"' in page.text
    csrf = form_csrf(fp, f"/tasks/{world['contact']}")

    done = fp.post(f"/tasks/{world['contact']}/done", follow_redirects=False,
                   data={"csrf": csrf, "note": "Met the Deputy Minister on 1 September"})
    assert (done.status_code, done.headers["location"]) == (303, "/tasks")
    assert flash_of(fp, "/tasks") == f"ok: Task no. {world['contact']}: done"
    # Declining needs a note saying why: the service's words, on the task's page.
    empty = fp.post(f"/tasks/{world['brief']}/decline", data={"csrf": csrf, "note": "  "},
                    follow_redirects=False)
    assert empty.headers["location"] == f"/tasks/{world['brief']}"
    assert "declining a task needs a note saying why" in flash_of(fp, f"/tasks/{world['brief']}")
    fp.post(f"/tasks/{world['brief']}/decline", data={"csrf": csrf, "note": "Travelling that week"})

    history = services.show_case(db, world["case"])["history"]
    assert [(h["event"], h["by"], h["reason"]) for h in history[-2:]] == [
        ("task_done", "fp_asia@example.org", "Met the Deputy Minister on 1 September"),
        ("task_declined", "fp_asia@example.org", "Travelling that week")]
    assert tasks.list_tasks(db, "fp_asia@example.org") == []
    closed = fp.get("/tasks").text
    assert "Travelling that week" in closed and "declined" in closed
    # Closed is closed: the refusal names its rule and the step's paragraph (20, 22).
    again = fp.post(f"/tasks/{world['contact']}/decline", data={"csrf": csrf, "note": "x"},
                    follow_redirects=False)
    assert again.status_code == 303
    refusal = flash_of(fp, f"/tasks/{world['contact']}")
    assert refusal.startswith("error: refused by rule task_closed (Annex II para 20, 22)")
    assert 'action="/tasks/' not in fp.get(f"/tasks/{world['contact']}").text  # no forms now


def test_the_inbox_pages_the_open_tasks_by_due_date_and_shows_the_last_closed(db, world,
                                                                           monkeypatch):
    from noncoop.web import pages

    monkeypatch.setattr(pages, "PAGE", 1)
    services.act(db, world["case"], "request_assistance", on=D(2024, 8, 31),
                 params={"task": "Call the embassy", "due": "2024-09-01"})
    services.act(db, world["case"], "request_assistance", on=D(2024, 8, 31),
                 params={"task": "Keep the region informed"})  # no due date: last
    fp = client_as("fp_asia")
    task = re.compile(r'<a href="/tasks/([0-9]+)">')
    link = re.compile(r'<a href="/tasks\?page=([0-9]+)" rel="(next|prev)">')

    first, second, third, fourth = (fp.get(f"/tasks?page={n}").text for n in (1, 2, 3, 4))
    mine = {t["title"]: t["id"] for t in tasks.list_tasks(db, "fp_asia@example.org")}
    call, inform = mine["Call the embassy"], mine["Keep the region informed"]
    # By due date: 1, 2 and 5 September, then the one without a date, one a page.
    assert [task.findall(p) for p in (first, second, third, fourth)] == [
        [str(call)], [str(world["contact"])], [str(world["brief"])], [str(inform)]]
    assert "tasks 2 to 2 of 4" in second
    assert link.findall(first) == [("2", "next")] and link.findall(fourth) == [("3", "prev")]
    assert link.findall(second) == [("1", "prev"), ("3", "next")]
    assert fp.get("/tasks?page=7").text == fourth  # past the end: the last page
    assert fp.get("/tasks?page=none").status_code == 400

    for closing, on in ((call, D(2024, 9, 1)), (inform, D(2024, 9, 1))):
        tasks.close(db, closing, "done", "done", by="fp_asia@example.org", on=on)
    tasks.close(db, world["brief"], "declined", "away", by="fp_asia@example.org",
                on=D(2024, 9, 2))
    now = fp.get("/tasks").text
    # One open task left, one page; the closed section keeps the one closed last (PAGE).
    assert task.findall(now) == [str(world["contact"]), str(world["brief"])]
    assert link.findall(now) == [] and "The 1 closed most recently." in now


def test_an_inbox_too_long_to_count_pages_on_without_a_last_page(db, world, monkeypatch):
    from noncoop.web import pages

    monkeypatch.setattr(pages, "PAGE", 1)
    monkeypatch.setattr(tasks, "COUNTED", 1)  # two open tasks: more than it counts
    fp = client_as("fp_asia")
    link = re.compile(r'<a href="/tasks\?page=([0-9]+)"( rel="(?:next|prev)")?>')
    first = fp.get("/tasks").text
    assert "tasks 1 to 1 of more than 1" in first
    assert link.findall(first) == [("2", ' rel="next"')]  # no "last": it is not known
    second = fp.get("/tasks?page=2").text
    assert str(world["brief"]) in second and link.findall(second) == [("1", ' rel="prev"')]
    # Past the end, the list is counted after all and its last page shown.
    assert fp.get("/tasks?page=5").text == second


def test_the_notes_noncoop_writes_on_closed_tasks_are_in_the_readers_language(db, world):
    """A deadline waived, and a case closed, close their tasks with a note of noncoop's own
    (store/journal.py): in French on a French page; a person's note stays as written."""
    forwarding = tasks.get_task(db, world["secretariat"], by="secretariat@example.org")
    case = forwarding["case_id"]
    services.act(db, case, "waive_deadline", reason="forwarded by hand",
                 params={"step": forwarding["step"], "kind": "due"})
    services.act(db, case, "close", params={"outcome": "other"})
    tasks.close(db, world["contact"], "done", "Appelé le ministre", by="fp_asia@example.org")
    notes = {t["id"]: t["note"] for t in tasks.list_tasks(db, None, None)}
    assert notes[world["secretariat"]] == "deadline waived"  # as the CLI and the API give it
    assert "closed with the case" in notes.values()

    secretariat = client_as("secretariat")
    # The Secretariat's own: the forwarding; another role's, on its page (it sees every task).
    with_case = next(n for n, note in notes.items() if note == "closed with the case")
    french = secretariat.get("/tasks?lang=fr").text
    assert "délai levé" in french and "deadline waived" not in french
    other = secretariat.get(f"/tasks/{with_case}").text
    assert "clos avec le dossier" in other and "closed with the case" not in other
    assert "Appelé le ministre" in client_as("fp_asia").get("/tasks").text
    assert "deadline waived" in secretariat.get("/tasks?lang=en").text
    assert "closed with the case" in secretariat.get(f"/tasks/{with_case}").text


def test_a_deadlines_task_is_done_by_its_step_and_the_page_says_so(db, world):
    sec = client_as("secretariat")
    page = sec.get(f"/tasks/{world['secretariat']}").text
    assert f'action="/tasks/{world["secretariat"]}/done"' not in page
    assert "Done when its step is recorded" in page
    csrf = form_csrf(sec, "/tasks")
    sec.post(f"/tasks/{world['secretariat']}/done", data={"csrf": csrf, "note": ""},
             follow_redirects=False)
    refusal = flash_of(sec, f"/tasks/{world['secretariat']}")
    assert refusal.startswith("error: refused by rule task_follows_step (Annex II para ")
    assert "noncoop case act" in refusal


def test_nobody_sees_or_closes_another_persons_task(db, world):
    other = client_as("fp_africa")  # another region: the case is not his to see at all
    for n in (world["contact"], world["brief"]):
        page = other.get(f"/tasks/{n}")
        assert page.status_code == 404 and world["case"] not in page.text
        assert "Contact the Foreign Ministry" not in page.text
    inbox = other.get("/tasks")
    assert inbox.status_code == 200 and world["case"] not in inbox.text
    csrf = form_csrf(other, "/tasks")
    answer = other.post(f"/tasks/{world['contact']}/done", data={"csrf": csrf, "note": "mine?"},
                        follow_redirects=False)
    assert answer.status_code == 404
    assert [t["id"] for t in tasks.list_tasks(db, "fp_asia@example.org")] == [
        world["contact"], world["brief"]]
    assert other.get("/tasks/99999999999999").status_code == 404


def test_the_forms_need_their_csrf_token_and_a_sign_in(db, world):
    fp = client_as("fp_asia")
    refused = fp.post(f"/tasks/{world['contact']}/done", data={"note": "no token"},
                      follow_redirects=False)
    assert refused.status_code == 403
    from noncoop.web.app import create_app
    anonymous = TestClient(create_app()).get("/tasks", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].endswith("/login")
    assert len(tasks.list_tasks(db, "fp_asia@example.org")) == 2


def test_the_inbox_speaks_french(db, world):
    fp = client_as("fp_africa")
    page = fp.get("/tasks?lang=fr").text
    assert "<h1>Mes tâches</h1>" in page and "À faire" in page
    fp_asia = client_as("fp_asia")
    one = fp_asia.get(f"/tasks/{world['contact']}?lang=fr").text
    assert f"Tâche nº {world['contact']}" in one and "Marquer comme accomplie" in one
    assert "Décliner" in one and "Annexe II, par. 20, 22" in one
    csrf = form_csrf(fp_asia, "/tasks")
    fp_asia.post(f"/tasks/{world['brief']}/decline", data={"csrf": csrf, "note": "En mission"},
                 follow_redirects=False)
    assert flash_of(fp_asia, "/tasks") == f"ok: Tâche nº {world['brief']} : déclinée"


# -- in a real browser ---------------------------------------------------------------------

@pytest.fixture
def server(world, database_url):
    from noncoop.web.app import create_app

    with serving(create_app()) as url:
        yield {"url": url, **world}


@pytest.mark.slow
@needs_chromium
def test_a_focal_point_works_through_the_inbox_in_a_browser(db, server, browser):
    url = server["url"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    page.goto(f"{url}/login")
    page.fill("input[name=email]", "fp_asia@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/")
    page.click("nav >> text=My tasks")
    page.wait_for_url(f"{url}/tasks")
    assert page.locator("table.tasks tbody tr").count() == 2
    page.screenshot(path=str(SHOTS / "inbox.png"), full_page=True)

    page.click(f"text=Task no. {server['contact']}")
    page.wait_for_url(f"{url}/tasks/{server['contact']}")
    page.screenshot(path=str(SHOTS / "task.png"), full_page=True)
    page.fill(f"form[action='/tasks/{server['contact']}/done'] textarea",
              "Met the Deputy Minister on 1 September")
    page.click(f"form[action='/tasks/{server['contact']}/done'] button")
    page.wait_for_url(f"{url}/tasks")
    assert f"Task no. {server['contact']}: done" in page.locator(".flash.ok").inner_text()

    page.click(f"text=Task no. {server['brief']}")
    page.click(f"form[action='/tasks/{server['brief']}/decline'] button")  # no note
    page.wait_for_url(f"{url}/tasks/{server['brief']}")
    assert "needs a note saying why" in page.locator(".flash.error").inner_text()
    page.screenshot(path=str(SHOTS / "decline-refused.png"), full_page=True)
    page.fill(f"form[action='/tasks/{server['brief']}/decline'] textarea",
              "Travelling that week")
    page.click(f"form[action='/tasks/{server['brief']}/decline'] button")
    page.wait_for_url(f"{url}/tasks")
    assert "Nothing." in page.locator("section", has_text="To do").inner_text()
    closed = page.locator("section", has_text="Closed").inner_text()
    assert "Travelling that week" in closed and "Met the Deputy Minister" in closed
    page.screenshot(path=str(SHOTS / "inbox-after.png"), full_page=True)
    history = services.show_case(db, server["case"])["history"]
    assert [h["event"] for h in history[-2:]] == ["task_done", "task_declined"]
