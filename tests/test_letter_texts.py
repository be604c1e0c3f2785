"""Letters say only what the case's facts support (SPEC "Correspondence"): the President whose
term covers the letter's date signs it, the tense follows the letter's date against the session's,
good offices are told as they were triggered, a referral as it was recorded, French names take
their article, and an issued letter carries no draft marking."""

from __future__ import annotations

import datetime as dt

import pytest

from noncoop import config, services
from noncoop.errors import BadInput
from noncoop.letters import register

D = dt.date


def signature(html: str) -> str:
    """The signature block: the name and title under the letter."""
    return html.split('<div class="signature">', 1)[1].split("</div>", 1)[0]


@pytest.fixture
def kenya(db):
    """The Kenyatta case: Trial Chamber V(B) referred Kenya's non-compliance to the Assembly."""
    case = services.open_case(db, state="Kenya", scenario="7a", decision_ref="ICC-01/09-02/11-1037",
                              decision_date=D(2016, 9, 19), chamber="Trial Chamber V(B)",
                              referred_to=["assembly"], request="art93",
                              person="Uhuru Muigai Kenyatta")
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
        register.draft(db, kenya, "open_letter", "en", on=D(2002, 8, 15))
    assert refused.value.code == "signatory_unknown"
    assert "config/letters.yaml `presidents`" in refused.value.message


def test_a_letter_the_secretariat_signs_needs_no_president(kenya, db):
    note = register.draft(db, kenya, "forward_decision", "en", on=D(2002, 8, 15))
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
    assert "Next President" in signature(register.draft(db, kenya, "open_letter", "en",
                                                        on=D(2026, 12, 7)))
    with pytest.raises(BadInput, match="2026-12-06"):
        register.draft(db, kenya, "open_letter", "en", on=D(2026, 12, 6))
