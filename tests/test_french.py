"""French everywhere a French speaker looks (issue 18, item 4).

1. The catalogue is complete: every message the code, the page templates and the workflow rules
   mark (Babel's extract API, babel.cfg) has its French in messages.po, and the .po holds
   nothing stale.
2. Every State, region, step, deadline kind and basis, outcome, status and event the workflows
   and the demo record has words in both languages.
3. Every page of the demo, opened in French in Debian's chromium, shows no English label and no
   raw code (screenshots in test-output/french/)."""

from __future__ import annotations

import datetime as dt
import functools
import re
from pathlib import Path

import pytest
import yaml
from live import PASSWORD, needs_chromium, serving
from sqlmodel import select

from noncoop import accounts, clock, i18n, messages, people, resources, services, states, vocabulary
from noncoop.domain import load_procedure
from noncoop.domain.procedure import available_versions
from noncoop.letters.render import catalogue
from noncoop.store.models import EventRow
from noncoop.web import said

WORKFLOWS = ("formal", "good_offices")


def _procedures():
    for name in WORKFLOWS:
        for version in available_versions(name):
            yield load_procedure(name, version)


@functools.cache
def _catalogue():
    return messages.read("fr")


def _french(kind: str, code: str) -> str:
    """The French words of `code`, which the catalogue must hold (the same word may serve:
    "invitation")."""
    assert code in vocabulary.WORDS[kind], f"{kind} {code!r} has no words in noncoop/vocabulary.py"
    context, english = vocabulary.WORDS[kind][code]
    entry = _catalogue().get(english, context=context)
    assert entry is not None and entry.string, f"{kind} {code!r} ({english!r}) has no French"
    fr = vocabulary.word(kind, code, "fr")
    assert fr == entry.string and "_" not in fr  # words, not a code
    return fr


# -- 1. the catalogue -------------------------------------------------------------------------

def test_every_marked_message_has_its_french_and_the_catalogue_is_not_stale():
    found = messages.problems("fr")
    assert not found, "\n".join(found)
    # Not vacuous: the extraction finds the templates' labels, the Python's and the workflow rules.
    extracted = {m.id if isinstance(m.id, str) else m.id[0] for m in messages.extract() if m.id}
    assert {"Dashboard", "Not allowed now, and why", "%(step)s: started",
            "the case is closed; nothing more can be recorded on it"} <= extracted


def test_the_french_catalogue_is_read_from_the_po_file_and_english_is_the_message_id():
    assert i18n.tr("fr", "Dashboard") == "Tableau de bord"
    assert i18n.tr("en", "Dashboard") == "Dashboard"
    assert i18n.ntr("fr", "in %(num)d day", "in %(num)d days", 3) == "dans 3 jours"
    assert i18n.ntr("fr", "in %(num)d day", "in %(num)d days", 1) == "dans 1 jour"
    assert i18n.format_date(dt.date(2024, 10, 24), "fr") == "24 oct. 2024"
    assert i18n.format_date("2024-10-24", "en") == "24 Oct 2024"  # British usage
    assert i18n.format_number(1234.5, "fr") == "1\u202f234,5"
    assert i18n.format_number(1234.5, "en") == "1,234.5"


# -- 2. the words of the record ---------------------------------------------------------------

def test_every_state_and_region_has_its_official_french_name():
    config = resources.CONFIG
    listed = [*yaml.safe_load((config / "states.yaml").read_text("utf-8"))["states_parties"],
              *yaml.safe_load((config / "non_parties.yaml").read_text("utf-8"))["non_parties"]]
    assert len(listed) > 130
    for s in listed:
        assert s.get("fr") and s.get("fr_de") and s.get("fr_le"), s["name"]
        assert states.lookup(s["name"]).named("fr") == s["fr"]
        assert states.group_name(s["group"], "fr") != s["group"], s["group"]
    assert states.lookup("Jordan").named("fr") == "Jordanie"
    assert states.lookup("Mongolia").named("fr") == "Mongolie"
    assert states.lookup("South Africa").named("fr") == "Afrique du Sud"
    assert states.lookup("Tajikistan").named("fr") == "Tadjikistan"


def test_every_step_deadline_kind_outcome_and_choice_of_the_workflows_has_french():
    for procedure in _procedures():
        for step in procedure.steps.values():
            assert step.title_fr and step.title_fr != step.title, step.id
        # The moves between stages and the actions on deadlines are named too (a menu of the
        # case page offers them beside the steps).
        for name, meta in {**procedure.stage_moves, **procedure.deadline_actions}.items():
            assert meta["title"] and meta["title_fr"] != meta["title"], name
            assert procedure.titles("fr")[name] == meta["title_fr"], name
        for rule in procedure.deadline_rules:
            _french("deadline_kind", rule.kind)
        # The outcomes a step records are words, never the code (reversed_on_appeal).
        for move in [m for s in procedure.steps.values() for m in s.moves.values()] + \
                [m for m in procedure.stage_moves.values()]:
            params = move.params if hasattr(move, "params") else move.get("params", {})
            for key, spec in (params or {}).items():
                if key == "outcome":
                    for code in spec.get("choices", ()):
                        _french("outcome", code)
        for rule in list(procedure.guard_meta) + [m["rule"] for m in procedure.stage_refusals.values()]:
            assert said.rule(rule, "English", "fr") != "English", rule
    assert _french("outcome", "reversed_on_appeal") == "constatation infirmée en appel"
    assert vocabulary.word("outcome", "reversed_on_appeal", "en") == "finding reversed on appeal"
    for letter in catalogue():
        if letter != "digest":
            _french("letter", letter)
    for role in people.ROLES:
        _french("role", role)
    from noncoop.calendar import SESSION_KINDS
    for kind in SESSION_KINDS:
        _french("session_kind", kind)


def test_every_status_event_and_deadline_basis_of_the_demo_is_said_in_french(demo):
    cases = services.list_cases(demo)
    assert len(cases) >= 10
    bases = 0
    for c in cases:
        case = services.show_case(demo, c["id"])
        titles = load_procedure(case["workflow"]["name"], case["workflow"]["version"]).titles("fr")
        _french("case_status", case["status"])
        _french("scenario", case["scenario"])
        _french("stage", case["stage"])
        for s in case["steps"]:
            _french("step_status", s["status"])
        for d in case["deadlines"]:
            _french("deadline_status", d["status"])
            _french("deadline_kind", d["kind"])
            said_fr = vocabulary.basis(d["basis"], "fr", titles)
            assert said_fr, f"basis {d['basis']!r} is in no form vocabulary.basis reads"
            assert not re.search(r"\b(on|days?|business|opens|after|the)\b", said_fr), said_fr
            bases += 1
        if case["outcome"]:
            _french("outcome", case["outcome"])
    assert bases >= 10
    for kind in {e.kind for e in demo.exec(select(EventRow)).all()}:
        _french("event", kind)


@pytest.mark.parametrize("english, french", [
    ("decision on 2024-10-24 + 1 business day(s) in The Hague",
     "La décision de la Cour du 24 oct. 2024 + 1 jour(s) ouvrable(s) à La Haye"),
    ("open_letter started on 2024-10-28 + 30 days",
     "Le début de l’étape « Lettre ouverte du Président de l’Assemblée à l’État requis » du "
     "28 oct. 2024 + 30 jours"),
    ("good_offices_activate done at 2024-08-30 10:00 CEST + 24 hours",
     "L’étape « Bons offices du Président » le 30 août 2024 10:00 CEST + 24 heures"),
    ("Bureau meeting on 2024-11-05 - 10 days (the first at least 10 days after decision on "
     "2024-10-24)", "Réunion du Bureau du 5 nov. 2024 − 10 jours (la première au moins 10 jours "
     "après la décision de la Cour du 24 oct. 2024)"),
    ("session 23 (resumed), 2024-12-02 to 2024-12-07 opens - 30 days (the first that opens at "
     "least 30 days after decision on 2024-10-24)", "Ouverture de la session 23 (reprise), du "
     "2 déc. 2024 au 7 déc. 2024 − 30 jours (la première qui s’ouvre au moins 30 jours après la "
     "décision de la Cour du 24 oct. 2024)"),
    ("rescheduled on 2024-11-01: the Bureau asked", "Reporté le 1 nov. 2024 : the Bureau asked"),
])
def test_each_form_of_a_deadline_basis_is_written_in_french(english, french):
    titles = load_procedure("formal").titles("fr")
    assert vocabulary.basis(english, "fr", titles) == french


def test_a_french_draft_says_projet_not_draft(demo):
    from noncoop.letters import register

    case_id = services.list_cases(demo)[0]["id"]
    name = register.letters_allowed(demo, case_id)[0]
    fr = register.draft(demo, case_id, name, "fr")
    assert "Référence\u00a0: PROJET" in fr and "DRAFT" not in fr
    assert "Reference: DRAFT" in register.draft(demo, case_id, name, "en")


# -- 3. every page in French, in a real browser ----------------------------------------------

OUT = Path(__file__).resolve().parents[1] / "test-output" / "french"
# English a French page must not show: labels, the words of the record, and raw codes.
ENGLISH = re.compile(
    r"\b(Deadlines?|Due|due|Step|Steps|Status|Case|Cases|Region|Scenario|History|Timeline|"
    r"Dashboard|Nothing|Sign (?:in|out)|Refused|done|pending|skipped|started|missed|waived|"
    r"running|overdue|regular|resumed|special|business days?|The Hague|Chamber|"
    r"African States|Asia-Pacific|European States|Latin American|Western European|"
    r"Mongolia|Jordan|South Africa|Tajikistan|Bureau meeting|DRAFT)\b"
    r"|\b[a-z]+_[a-z_]+\b")  # reversed_on_appeal, in_progress, president_office...


@pytest.fixture
def french_server(demo, database_url, monkeypatch):
    from noncoop.web.app import create_app

    monkeypatch.setenv("NONCOOP_SECRET_KEY", "french-test")
    accounts.add_user(demo, "president@example.org", "president_office", PASSWORD)
    # A case whose emergency Bureau meeting the browser convenes: a move that starts the step.
    fresh = services.open_case(demo, state="Jordan", scenario="7a", decision_ref="ICC-99/99-1",
                               decision_date=clock.today() - dt.timedelta(days=3),
                               referred_to=["assembly"])["id"]
    cases = [c["id"] for c in services.list_cases(demo)]
    with serving(create_app()) as url:
        yield {"url": url, "fresh": fresh, "cases": cases}


def _shown(page) -> str:
    """What a person reads: the page's text without the identifiers set in <code> (the step
    names the CLI takes, shown beside their French title) and the words people typed (.typed:
    a summary stays in the language it was written in), and the timeline's tooltips."""
    return page.evaluate("""() => {
        const body = document.body.cloneNode(true);
        body.querySelectorAll('code, .me, .typed').forEach(e => e.remove());
        const tips = [...document.querySelectorAll('svg title')].map(t => t.textContent);
        return body.innerText + '\\n' + tips.join('\\n');
    }""")


def _identifiers() -> set[str]:
    """What a person types (the CLI's and the form's names of steps and actions), which a
    French sentence may quote: "consigner d'abord le renvoi (action refer_to_assembly)"."""
    out: set[str] = set()
    for procedure in _procedures():
        out |= set(procedure.steps) | set(procedure.stage_moves) | set(procedure.deadline_actions)
    return out


def _english_in(text: str) -> list[str]:
    typed = _identifiers()
    return sorted({m.group(0) for m in ENGLISH.finditer(text)
                   if m.group(0) not in typed and text[max(m.start() - 1, 0)] != "="})


@pytest.mark.slow
@pytest.mark.one_database
@needs_chromium
def test_every_page_of_the_demo_in_french_shows_no_english_label_and_no_raw_code(french_server, browser):
    url = french_server["url"]
    OUT.mkdir(parents=True, exist_ok=True)
    found: dict[str, list[str]] = {}
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page.goto(f"{url}/login?lang=fr")
    assert page.get_attribute("html", "lang") == "fr"
    found["login"] = _english_in(_shown(page))
    page.screenshot(path=str(OUT / "login.png"), full_page=True)
    page.fill("input[name=email]", "president@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/")
    paths = ["/", "/cases", "/review", "/calendar", "/people", "/public",
             *[f"/cases/{c}" for c in french_server["cases"]]]
    for path in paths:
        page.goto(f"{url}{path}")
        assert page.get_attribute("html", "lang") == "fr", path
        found[path] = _english_in(_shown(page))
        name = path.strip("/").replace("/", "-") or "dashboard"
        page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)
    # A French draft of a letter: PROJET, never DRAFT.
    case = french_server["cases"][0]
    link = page.goto(f"{url}/cases/{case}")
    hrefs = page.eval_on_selector_all("ul.letters a[href$='lang=fr']", "a => a.map(x => x.href)")
    assert hrefs, "the case page offers no French draft"
    link = page.goto(hrefs[0])
    assert link.status == 200
    assert "PROJET" in page.content() and "DRAFT" not in page.content()
    page.screenshot(path=str(OUT / "letter-draft-fr.png"), full_page=True)
    # Convening the emergency Bureau meeting starts the step: the page says "commencée".
    page.goto(f"{url}/cases/{french_server['fresh']}")
    page.select_option("select[name=step]", "emergency_bureau_meeting")
    page.fill("textarea[name=params]", "action=convene\nplace=The Hague")
    page.click("form.act button[type=submit]")
    page.wait_for_selector("p.flash")
    flash = page.inner_text("p.flash")
    page.screenshot(path=str(OUT / "flash-started.png"), full_page=True)
    assert flash == "Réunion d’urgence du Bureau : commencée", flash
    found["after convening"] = _english_in(_shown(page))
    assert len(found) >= 15
    english = {k: v for k, v in found.items() if v}
    assert not english, "\n".join(f"{k}: {v}" for k, v in english.items())


def test_a_refusal_on_a_french_page_says_its_rule_and_its_facts_in_french():
    message = ("a public meeting of the New York Working Group may be requested only if the next "
               "session of the Assembly is scheduled to start more than three months after the "
               "Bureau hearing: the next session (session 23, 2024-12-02 to 2024-12-07) opens on "
               "2024-12-02, not more than three months after the hearing on 2024-11-05 (three "
               "months later is 2025-02-05)")
    fr = said.rule("three_month_rule", message, "fr")
    assert fr.startswith("Une réunion publique du Groupe de travail de New York ne peut être "
                         "demandée que si")
    assert "s’ouvre le 2 déc. 2024, pas plus de trois mois après la réunion du 5 nov. 2024" in fr
    assert said.rule("three_month_rule", message, "en") == message
    # A rule whose facts are in no known form keeps them, marked as English: they may say what
    # to give (a --param), and a refusal must not lose that.
    assert said.rule("unsc_referral", "the Court referred ...: something new", "fr") == (
        "Le Président de l’Assemblée n’écrit au Président du Conseil de sécurité que si la Cour a "
        "également saisi le Conseil de sécurité de la constatation. (En anglais : the Court "
        "referred ...: something new)")
    bodies = said.rule("unsc_referral", "the Court referred this finding to: assembly; not to "
                       "the Security Council", "fr")
    assert bodies.endswith("la Cour a renvoyé cette constatation à : l’Assemblée ; non au Conseil "
                           "de sécurité."), bodies


def test_an_error_on_a_french_page_says_what_to_check_in_french():
    from noncoop.errors import BadInput

    exc = BadInput("bad date '2024-13-01' for --param due: write YYYY-MM-DD", code="bad_param")
    fr = said.error(exc, "fr")
    assert fr.startswith("Un détail de l’étape n’est pas écrit comme l’étape l’attend.")
    assert said.error(exc, "en") == exc.message
    assert said.title(exc, "fr") == "À vérifier"
    locked = BadInput("too many failed sign-ins from this address: wait 4 second(s)",
                      code="locked", retry_after=4)
    assert said.error(locked, "fr") == "Trop d’échecs de connexion : réessayez dans 4 seconde(s)."


def test_the_older_t_key_labels_read_the_catalogue_and_a_missing_key_shows():
    from noncoop.web.i18n import LEGACY, words

    assert words("fr").due == "Échéance" and words("en")["due"] == "Due"
    assert words("fr").get("no_such_key", "x") == "x"
    assert words("fr").no_such_key == "no_such_key"  # seen on the page, never a blank label
    same_in_french = {"Date", "Public", "Session", "Bureau", "Note"}
    assert all(i18n.tr("fr", english) != english for english in LEGACY.values()
               if english not in same_in_french)
