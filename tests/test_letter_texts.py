"""Letters say only what the case's facts support (SPEC "Correspondence"): the President whose
term covers the letter's date signs it, the tense follows the letter's date against the session's,
good offices are told as they were triggered, a referral as it was recorded, French names take
their article, and an issued letter carries no draft marking."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
import yaml
from docx import Document

from noncoop import config, services, states
from noncoop.access import formal_view
from noncoop.errors import BadInput, Refused
from noncoop.letters import context, register
from noncoop.letters.render import LANGS, catalogue, render_html
from noncoop.record import load_case

D = dt.date


def text(db, case_id: str, name: str, lang: str, on: dt.date) -> str:
    """What the letter says on `on`, rendered from the case's facts alone: these tests read the
    words; whether its step allows the letter then is the rules' business (test_letters_obey)."""
    _, case = load_case(db, case_id)
    ctx = context.build(catalogue()[name], case, lang, on=on, sessions=services.sessions(db),
                        meetings=services.bureau_meetings(db))
    return render_html(name, lang, ctx)


def signature(html: str) -> str:
    """The signature block: the name and title under the letter."""
    return html.split('<div class="signature">', 1)[1].split("</div>", 1)[0]


@pytest.fixture
def kenya(db):
    """Pre-Trial Chamber I informed the Security Council and the Assembly of Omar Al Bashir's
    presence in Kenya (27 August 2010): letters from then on are signed by four Presidents."""
    case = services.open_case(db, state="Kenya", scenario="7a", decision_ref="ICC-02/05-01/09-107",
                              decision_date=D(2010, 8, 27), chamber="Pre-Trial Chamber I",
                              referred_to=["assembly", "security-council"], request="art89",
                              person="Omar Hassan Ahmad Al Bashir")
    return case["id"]


# -- 1. The President whose term covers the letter's date signs it ---------------------------

def test_a_letter_is_signed_by_the_president_in_office_on_its_date(kenya, db):
    in_2013 = register.draft(db, kenya, "open_letter", "en", on=D(2013, 3, 1))
    assert "Tiina Intelmann" in signature(in_2013) and "Kaukoranta" not in in_2013
    in_2016 = register.draft(db, kenya, "open_letter", "en", on=D(2016, 10, 3))
    assert "Sidiki Kaba" in signature(in_2016)
    assert "Päivi Kaukoranta" in signature(register.draft(db, kenya, "open_letter", "en",
                                                          on=D(2024, 10, 28)))


def test_a_term_begins_on_the_first_day_of_the_session_that_elected_the_bureau(kenya, db):
    # The tenth session opened on 12 December 2011 (config/data/sessions.csv).
    eve = register.draft(db, kenya, "open_letter", "en", on=D(2011, 12, 11))
    first_day = register.draft(db, kenya, "open_letter", "en", on=D(2011, 12, 12))
    assert "Christian Wenaweser" in signature(eve)
    assert "Tiina Intelmann" in signature(first_day)


def test_the_french_title_agrees_with_the_president(kenya, db):
    by_her = register.draft(db, kenya, "open_letter", "fr", on=D(2013, 3, 1))
    assert "Présidente de l" in signature(by_her) and '<p class="office">La Présidente</p>' in by_her
    by_him = register.draft(db, kenya, "open_letter", "fr", on=D(2016, 10, 3))
    assert "Président de l" in signature(by_him) and "Présidente" not in signature(by_him)
    assert '<p class="office">Le Président</p>' in by_him


def test_a_letter_dated_outside_every_term_says_which_term_to_add(kenya, db):
    # 15 August 2002: the Statute is in force, but the Assembly has not yet met.
    with pytest.raises(BadInput, match="2002-08-15") as refused:
        text(db, kenya, "open_letter", "en", on=D(2002, 8, 15))
    assert refused.value.code == "signatory_unknown"
    assert "config/letters.yaml `presidents`" in refused.value.message


def test_a_letter_the_secretariat_signs_needs_no_president(kenya, db):
    note = text(db, kenya, "forward_decision", "en", on=D(2002, 8, 15))
    assert "The Secretariat of the Assembly of States Parties presents its compliments" in note
    assert '<div class="signature">' not in note


def test_the_terms_follow_each_other_without_gap_or_overlap():
    terms = config.letters()["presidents"]
    for before, after in zip(terms, terms[1:], strict=False):
        assert before["to"] + dt.timedelta(days=1) == after["from"], before["name"]
    assert [t["name"] for t in terms if t["to"] is None] == ["Päivi Kaukoranta"]
    assert all(t["title"]["fr"].split()[0] in ("Président", "Présidente") for t in terms)


def test_the_presidents_can_be_set_in_the_settings_file(kenya, db, settings_file):
    settings_file("letters:\n"
                  "  presidents:\n"
                  "    - name: Next President\n"
                  "      title: {en: President of the Assembly, fr: Président de l'Assemblée}\n"
                  "      from: 2026-12-07\n"
                  "      to: null\n")
    assert "Next President" in signature(text(db, kenya, "open_letter", "en", on=D(2026, 12, 7)))
    with pytest.raises(BadInput, match="2026-12-06"):
        text(db, kenya, "open_letter", "en", on=D(2026, 12, 6))


# -- 2. The tense from the letter's date against the session's and the meeting's ---------------

FUTURE = {"en": ("will report", "will be submitted", "will be reflected", "will also be addressed",
                 "to be adopted by", "will adopt", "is scheduled to open"),
          "fr": ("rendra compte", "sera présenté", "seront pris en compte", "sera également traitée",
                 "adoptera", "devant s’ouvrir")}


@pytest.fixture
def referred(db):
    """Mongolia, decided on 24 October 2024: the Bureau reports to the twenty-third session
    (The Hague, 2-7 December 2024) (para 15)."""
    services.add_session(db, 23, D(2024, 12, 2), D(2024, 12, 7), "The Hague")
    services.add_bureau_meeting(db, D(2024, 11, 5), "New York")
    return services.open_case(db, state="Mongolia", scenario="7a", decision_ref="ICC-01/22-90",
                              decision_date=D(2024, 10, 24), chamber="Pre-Trial Chamber II",
                              referred_to=["assembly", "security-council"], request="art89",
                              person="Vladimir Vladimirovich Putin")["id"]


@pytest.mark.parametrize(("on", "en", "fr"), [
    (D(2024, 10, 28), "the Bureau will report on the action taken", "le Bureau rendra compte"),
    (D(2024, 12, 4), "the Bureau is reporting on the action taken", "le Bureau rend compte"),
    (D(2025, 1, 15), "the Bureau was to report on the action taken", "le Bureau devait rendre compte"),
])
def test_the_bureau_report_is_told_before_during_and_after_the_session(referred, db, on, en, fr):
    assert en in register.draft(db, referred, "open_letter", "en", on=on)
    assert fr in register.draft(db, referred, "open_letter", "fr", on=on)


def test_no_letter_dated_after_the_session_speaks_of_it_in_the_future(referred, db):
    services.act(db, referred, "bureau_hearing", on=D(2024, 11, 5))
    for name in catalogue():
        for lang in LANGS:
            html = text(db, referred, name, lang, on=D(2025, 1, 15))
            assert not [p for p in FUTURE[lang] if p in html], (name, lang)
    report = register.report(db, 23, "en", on=D(2025, 1, 15)).decode()
    assert "The present report was to be submitted to the Assembly at its twenty-third session" in report


def test_a_letter_dated_before_the_session_speaks_of_it_in_the_future(referred, db):
    note = register.draft(db, referred, "forward_decision", "en", on=D(2024, 10, 25))
    assert "will be submitted to the Assembly at its twenty-third session" in note
    assert "in the omnibus resolution that the Assembly will adopt at that session" in note
    assert "Il devrait être pris note de la décision de la Cour dans la résolution omnibus que " \
           "l’Assemblée adoptera à cette session" in register.draft(db, referred, "forward_decision",
                                                                     "fr", on=D(2024, 10, 25))


def test_a_meeting_is_told_to_come_before_its_day_and_as_held_after_it(referred, db):
    # Before: the next Bureau meeting in the calendar (para 14(c): "at its next meeting").
    before = register.draft(db, referred, "hearing_invitation", "en", on=D(2024, 10, 28))
    assert "the meeting of the Bureau to be held on 5 November 2024 in New York" in before
    assert "The meeting will be an opportunity" in before
    services.act(db, referred, "bureau_hearing", on=D(2024, 11, 5))
    after = register.draft(db, referred, "hearing_invitation", "en", on=D(2024, 11, 8))
    assert "the meeting of the Bureau held on 5 November 2024" in after
    assert "Bureau to be held" not in after and "will be" not in after
    fr = register.draft(db, referred, "hearing_invitation", "fr", on=D(2024, 11, 8))
    assert "la réunion du Bureau qui s’est tenue le 5 novembre 2024" in fr and "se tiendra" not in fr


def test_the_emergency_meeting_is_announced_as_to_come_or_as_held(referred, db):
    before = register.draft(db, referred, "emergency_bureau_announcement", "en", on=D(2024, 10, 28))
    assert "has been convened at short notice to meet on 5 November 2024 in New York" in before
    assert "the Bureau will receive a report" in before and "decided as follows" not in before
    services.act(db, referred, "emergency_bureau_meeting", on=D(2024, 11, 5),
                 params={"action": "convene"})
    after = register.draft(db, referred, "emergency_bureau_announcement", "fr", on=D(2024, 11, 6))
    assert "le Bureau de l’Assemblée s’est réuni à bref délai le 5 novembre 2024" in after
    assert "Le Bureau a pris les décisions suivantes" in after


# -- 3. The trigger of good offices as recorded (paras 18-19) ------------------------------------

@pytest.fixture
def mongolia(db):
    """Mongolia, decided on 20 August 2024 and referred to the Assembly only."""
    services.add_session(db, 23, D(2024, 12, 2), D(2024, 12, 7), "The Hague")
    return services.open_case(db, state="Mongolia", scenario="7a", decision_ref="ICC-01/22-90",
                              decision_date=D(2024, 8, 20), chamber="Pre-Trial Chamber II",
                              referred_to=["assembly"], request="art89",
                              person="Vladimir Vladimirovich Putin")["id"]


def test_good_offices_the_bureau_decided_are_told_as_its_decision(mongolia, db):
    services.act(db, mongolia, "good_offices_activate", on=D(2024, 8, 30),
                 params={"trigger": "bureau", "bureau_decision": "2024-08-28"})
    en = register.draft(db, mongolia, "good_offices_notice", "en", on=D(2024, 8, 30))
    assert "as decided by the Bureau on 28 August 2024 (paragraph 19)" in en
    assert "own initiative" not in en and "It has been assessed" not in en
    fr = register.draft(db, mongolia, "good_offices_notice", "fr", on=D(2024, 8, 30))
    assert "comme l’a décidé le Bureau le 28 août 2024 (paragraphe 19)" in fr
    assert "pris l’initiative" not in fr and "Il a été estimé" not in fr


def test_good_offices_on_the_presidents_initiative_name_the_consultation_of_the_court(mongolia, db):
    services.act(db, mongolia, "good_offices_activate", on=D(2024, 8, 30),
                 params={"court_consulted": "2024-08-29", "urgent": "yes"})
    en = register.draft(db, mongolia, "good_offices_notice", "en", on=D(2024, 8, 30))
    assert "on my own initiative and in consultation with the Court on 29 August 2024" in en
    assert "opportunity to fulfil the request may no longer exist" in en  # urgent=yes (para 18)
    fr = register.draft(db, mongolia, "good_offices_notice", "fr", on=D(2024, 8, 30))
    assert "j’ai pris l’initiative, en consultation avec la Cour le 29 août 2024, d’agir" in fr


def test_a_reader_not_given_the_trigger_is_told_neither(mongolia, db):
    # A Bureau member's view of the case keeps only that good offices were activated (para 11).
    services.act(db, mongolia, "good_offices_activate", on=D(2024, 8, 30),
                 params={"trigger": "bureau", "bureau_decision": "2024-08-28"})
    _, case = load_case(db, mongolia)
    for lang in LANGS:
        ctx = context.build(catalogue()["good_offices_notice"], formal_view(case), lang,
                            on=D(2024, 8, 30))
        html = render_html("good_offices_notice", lang, ctx)
        assert not any(w in html for w in ("own initiative", "decided by the Bureau",
                                           "pris l’initiative", "a décidé le Bureau"))
        assert "good offices of the Presidency" in html or "bons offices de la Présidence" in html


# -- 4. The referral as recorded ----------------------------------------------------------------

TO_THE_ASSEMBLY = {"en": ("referred the matter to the Assembly", "referring the matter to the Assembly"),
                   "fr": ("en a référé à l’Assemblée", "renvoyant la question à l’Assemblée")}
TO_BOTH = {"en": "referred the matter to the Assembly of States Parties and to the Security Council "
                 "of the United Nations",
           "fr": "en a référé à l’Assemblée des États Parties ainsi qu’au Conseil de sécurité de "
                 "l’Organisation des Nations Unies"}


def finding(db, state, referred_to, **more):
    return services.open_case(db, state=state, scenario="7a", decision_ref="ICC-02/05-01/09",
                              decision_date=D(2016, 7, 11), chamber="Pre-Trial Chamber II",
                              referred_to=referred_to, request="art89",
                              person="Omar Hassan Ahmad Al Bashir", **more)["id"]


@pytest.mark.parametrize(("state", "referred_to"), [("Libya", ["security-council"]),
                                                    ("South Africa", ["none"])])
def test_no_letter_says_the_matter_was_referred_to_the_assembly_unless_it_was(db, state, referred_to):
    # Libya is bound through the Security Council's referral, and the Court referred its finding
    # to the Council only; South Africa's finding was referred to no one.
    case_id = finding(db, state, referred_to)
    for name in catalogue():
        for lang in LANGS:
            html = text(db, case_id, name, lang, on=D(2016, 7, 20))
            assert not any(p in html for p in TO_THE_ASSEMBLY[lang]), (name, lang)
            assert TO_BOTH[lang] not in html, (name, lang)


def test_a_finding_referred_to_the_security_council_alone_says_so(db):
    case_id = finding(db, "Libya", ["security-council"])
    html = text(db, case_id, "press_release", "en", on=D(2016, 7, 20))
    assert "The Chamber referred the matter to the Security Council of the United Nations." in html
    fr = text(db, case_id, "press_release", "fr", on=D(2016, 7, 20))
    assert "La Chambre en a référé au Conseil de sécurité de l’Organisation des Nations Unies." in fr


def test_a_finding_referred_to_no_one_names_no_referral(db):
    case_id = finding(db, "South Africa", ["none"])
    for lang, word in (("en", "referred the matter"), ("fr", "en a référé")):
        html = text(db, case_id, "press_release", lang, on=D(2016, 7, 20))
        assert word not in html
        assert "n’avait pas accédé" in html or "had failed to comply" in html


def test_a_finding_referred_to_both_says_both_in_every_letter_that_tells_it(db):
    case_id = finding(db, "Uganda", ["assembly", "security-council"])
    for lang in LANGS:
        letter = register.draft(db, case_id, "unsc_letter", lang, on=D(2016, 7, 20))
        assert TO_BOTH[lang] in letter
        assert TO_BOTH[lang] in register.draft(db, case_id, "open_letter", lang, on=D(2016, 7, 20))
    note = text(db, case_id, "omnibus_notation", "en", on=D(2016, 7, 20))
    assert ("referring the matter to the Assembly of States Parties and to the Security Council "
            "of the United Nations") in note


def test_a_finding_referred_to_the_assembly_alone_does_not_name_the_council(db):
    case_id = finding(db, "Uganda", ["assembly"])
    html = register.draft(db, case_id, "open_letter", "en", on=D(2016, 7, 20))
    assert "referred the matter to the Assembly of States Parties." in html
    assert "Security Council" not in html


def test_the_bureau_report_reports_as_referred_only_what_was_referred_to_the_assembly(db):
    services.add_session(db, 15, D(2016, 11, 16), D(2016, 11, 24), "The Hague")
    finding(db, "Uganda", ["assembly", "security-council"])
    finding(db, "Libya", ["security-council"])
    html = register.report(db, 15, "en", period_start=D(2016, 1, 1), on=D(2016, 11, 1)).decode()
    libya = html.split("<h3>Libya</h3>", 1)[1].split("</p>", 1)[0]
    assert "The Court did not refer the matter to the Assembly" in libya
    assert "referred the matter to the Assembly" not in libya
    action = html.split("III. Action taken", 1)[1].split("IV. The Security Council", 1)[0]
    assert "<h3>Uganda" in action and "Libya" not in action


# -- 5. French names with their article ----------------------------------------------------------

def test_every_state_has_its_french_name_with_its_article():
    for file, key in (("states.yaml", "states_parties"), ("non_parties.yaml", "non_parties")):
        listed = yaml.safe_load((states.CONFIG_DIR / file).read_text(encoding="utf-8"))[key]
        for s in listed:
            assert re.match(r"(le |la |l'|les |[A-ZÉÎ])", s.get("fr_le", "")), s["name"]
            assert states.lookup(s["name"]).named_with_article("fr") == s["fr_le"]
    assert states.lookup("Israel").named_with_article("fr") == "Israël"  # no article in French
    assert states.lookup("Mongolia").named_with_article("en") == "Mongolia"


@pytest.mark.parametrize(("state", "named", "bare"), [("Mongolia", "la Mongolie", "Mongolie"),
                                                      ("Kenya", "le Kenya", "Kenya"),
                                                      ("Philippines", "les Philippines", "Philippines")])
def test_french_letters_name_the_requested_state_with_its_article(db, state, named, bare):
    case_id = services.open_case(db, state=state, scenario="7a", decision_ref="ICC-01/00-1",
                                 decision_date=D(2024, 10, 24), chamber="Pre-Trial Chamber I",
                                 referred_to=["assembly"], request="art89", person="A. B.",
                                 ad_hoc_arrangement=None if state != "Philippines" else
                                 "ad hoc arrangement with the Court (example)")["id"]
    for name in ("forward_decision", "press_release", "open_letter_cover_note", "omnibus_notation",
                 "reminder", "focal_point_task"):
        html = text(db, case_id, name, "fr", on=D(2024, 10, 28))
        assert f"l’État requis, {named}" in html, name
        assert f"requis, {bare}" not in html, name
    recipients = register.draft(db, case_id, "open_letter", "fr", on=D(2024, 10, 28))
    assert f"La Mission permanente {states.lookup(state).fr_de} auprès" in recipients


# -- 6. No draft marking in an issued letter -----------------------------------------------------

DRAFT_MARKS = ("draft-banner", "DRAFT", "NOT ISSUED", "Not to be sent", "PROJET", "NON DIFFUSÉ",
               "À ne pas envoyer")


def test_an_issued_letter_carries_no_draft_marking_in_any_template_or_format(mongolia, db):
    # Referred to the Assembly only: a draft of the letter to the Security Council says it is not
    # to be sent (para 14(g)).
    services.act(db, mongolia, "forward_decision", on=D(2024, 8, 21))
    services.act(db, mongolia, "good_offices_activate", on=D(2024, 8, 30),
                 params={"court_consulted": "2024-08-29", "urgent": "yes"})
    drafted = text(db, mongolia, "unsc_letter", "fr", on=D(2024, 9, 2))
    assert "PROJET – NON DIFFUSÉ" in drafted and "[À ne pas envoyer" in drafted
    issued = 0
    for name in catalogue():
        for lang in LANGS:
            for fmt in ("html", "docx"):
                try:
                    entry = register.issue(db, mongolia, name, lang=lang, fmt=fmt, on=D(2024, 9, 2))
                except Refused:
                    continue  # a letter refused on this case is not issued at all
                _, content = register.show(db, entry["reference"])
                words = content.decode() if fmt == "html" else "\n".join(
                    p.text for p in Document(io.BytesIO(content)).paragraphs)
                assert entry["reference"] in words
                marks = [m for m in DRAFT_MARKS if m in words]
                assert not marks, (name, lang, fmt, marks)
                issued += 1
    assert issued >= 2 * 2 * 10  # the letters of a case referred to the Assembly, at the least


def test_a_draft_says_it_is_one_and_a_sent_notice_does_not(mongolia, db):
    for lang, banner in (("en", "DRAFT – NOT ISSUED"), ("fr", "PROJET – NON DIFFUSÉ")):
        html = register.draft(db, mongolia, "open_letter", lang, on=D(2024, 8, 26))
        assert banner in html and '<div class="draft-banner">' in html
    # A notice sent by e-mail has the case number for reference: it is no draft.
    _, case = load_case(db, mongolia)
    notice = render_html("reminder", "en", context.build(catalogue()["reminder"], case, "en",
                                                         on=D(2024, 8, 26), reference=mongolia))
    assert not [m for m in DRAFT_MARKS if m in notice]


def test_a_letter_names_the_session_the_engine_chose_for_each_purpose(db):
    """Decided a week before a session opens: the decision is noted in that session's omnibus
    resolution (14(e)), but the Bureau's report goes to the first session that leaves it the
    lead time (15), which the calendar does not hold yet: the letter says "its next session",
    as the case has no report deadline."""
    services.add_session(db, 25, D(2026, 12, 7), D(2026, 12, 12), "The Hague")
    case_id = services.open_case(db, state="Mongolia", scenario="7a", decision_ref="ICC-01/22-99",
                                 decision_date=D(2026, 11, 30), referred_to=["assembly"],
                                 chamber="Pre-Trial Chamber II")["id"]
    shown = services.show_case(db, case_id)
    assert not any(d["step"] == "bureau_report" for d in shown["deadlines"])
    note = text(db, case_id, "forward_decision", "en", on=D(2026, 11, 30))
    assert "will be submitted to the Assembly at its next session" in note
    assert ("in the omnibus resolution that the Assembly will adopt at its twenty-fifth session"
            in note)
