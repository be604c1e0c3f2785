"""The Atom feed of the press releases (para 13) is valid Atom (RFC 4287), checked by two
readers that are not ours: the RELAX NG schema of RFC 4287 (Appendix B, tests/schemas/) with
the rules it states as Schematron, and feedparser, as feed readers use it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import feedparser
import pytest
from fastapi.testclient import TestClient
from lxml import etree

from noncoop import services
from noncoop.letters import register

D = dt.date
ATOM = "http://www.w3.org/2005/Atom"
BASE = "https://noncoop.example.org"
SCHEMA = etree.parse(str(Path(__file__).parent / "schemas" / "atom.rng"))
SCHEMATRON = "http://www.ascc.net/xml/schematron"


def atom_problems(document: bytes) -> list[str]:
    """What RFC 4287's schema finds wrong with `document`: its grammar (RELAX NG), and the
    rules it states beside the grammar as Schematron asserts (an author on every entry or on
    the feed, a link or content on every entry), evaluated as the schema writes them."""
    tree = etree.fromstring(document)
    grammar = etree.RelaxNG(SCHEMA)
    problems = [] if grammar.validate(tree) else [str(e) for e in grammar.error_log]
    for rule in SCHEMA.iter(f"{{{SCHEMATRON}}}rule"):
        for node in tree.xpath(f"//{rule.get('context')}", namespaces={"atom": ATOM}):
            for check in rule.iter(f"{{{SCHEMATRON}}}assert"):
                if not node.xpath(f"boolean({check.get('test')})", namespaces={"atom": ATOM}):
                    problems.append(check.text)
    return problems


def test_the_schema_check_rejects_the_feed_readers_complained_of():
    """Entries with no author under a feed with none: what a validating reader rejected."""
    old = (b'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
           b"<id>http://x/public</id><title>Press releases</title>"
           b"<updated>2024-10-25T10:00:00+00:00</updated><entry><id>http://x/public/press/1</id>"
           b"<title>ICC-ASP/23/S/1</title><updated>2026-12-01T23:00:00+00:00</updated>"
           b'<link href="http://x/public/press/1"/></entry></feed>')
    assert atom_problems(old) == [
        "An atom:feed must have an atom:author unless all of its atom:entry children have an "
        "atom:author.", "An atom:entry must have an atom:author if its feed does not."]
    assert atom_problems(old.replace(b"<updated>2024-10-25T10:00:00+00:00</updated>", b""))


@pytest.fixture
def app(db, monkeypatch):
    monkeypatch.setenv("NONCOOP_SECRET_KEY", "test-secret")
    monkeypatch.setenv("NONCOOP_BASE_URL", f"{BASE}/")
    from noncoop.web.app import create_app

    return create_app()


@pytest.fixture
def releases(db):
    """Two States' findings with their press releases, issued today but dated when released:
    one in English and French (HTML), one as a Word document."""
    services.add_session(db, 16, D(2017, 12, 4), D(2017, 12, 14), "New York")
    services.add_session(db, 23, D(2024, 12, 2), D(2024, 12, 7), "The Hague")
    mongolia = services.open_case(db, state="Mongolia", scenario="7a", decision_ref="ICC-01/22-90",
                                  decision_date=D(2024, 10, 24), referred_to=["assembly"])["id"]
    jordan = services.open_case(db, state="Jordan", scenario="7a", decision_ref="ICC-02/05-01/09",
                                decision_date=D(2017, 12, 11), referred_to=["assembly"])["id"]
    secret = services.open_case(db, state="Mongolia", scenario="7b", summary="SECRET")["id"]
    issued = [register.issue(db, mongolia, "press_release", on=D(2024, 10, 25)),
              register.issue(db, mongolia, "press_release", lang="fr", on=D(2024, 10, 25)),
              register.issue(db, jordan, "press_release", fmt="docx", on=D(2017, 12, 13))]
    return {"references": [r["reference"] for r in issued], "secret": secret}


def test_the_feed_is_valid_atom_with_authors_a_self_link_and_what_was_released(app, releases):
    answer = TestClient(app).get("/public/feed.atom", headers={"Host": "evil.example.com"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/atom+xml")
    assert atom_problems(answer.content) == []
    assert b"evil.example.com" not in answer.content and b"SECRET" not in answer.content
    assert releases["secret"].encode() not in answer.content

    feed = feedparser.parse(answer.content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.id == f"{BASE}/public"
    assert {(link.rel, link.href) for link in feed.feed.links} == {
        ("self", f"{BASE}/public/feed.atom"), ("alternate", f"{BASE}/public")}
    assert feed.feed.author == "President of the Assembly of States Parties"
    assert feed.feed.updated_parsed[:3] == (2024, 10, 25)  # the newest release's date

    en, fr, jordan = releases["references"]
    entries = {e.id: e for e in feed.entries}
    assert list(entries) == [f"{BASE}/public/press/{r}" for r in (fr, en, jordan)]
    english, french = entries[f"{BASE}/public/press/{en}"], entries[f"{BASE}/public/press/{fr}"]
    # The release's own title, as issued: the State and what the President did, and its number.
    assert english.title == (
        "Non-cooperation – Mongolia: the President of the Assembly informs the public of a "
        f"decision of the International Criminal Court ({en})")
    assert french.title.startswith("Non-coopération – Mongolie") and french.title.endswith(f"({fr})")
    assert french.title_detail.language == "fr" and english.title_detail.language == "en"
    word = entries[f"{BASE}/public/press/{jordan}"]  # a DOCX: its title made of State and number
    assert word.title == f"Non-cooperation – Jordan: press release {jordan}"
    for entry in feed.entries:
        assert entry.author == "President of the Assembly of States Parties"
        assert entry.link == entry.id
    # Dated as released (not when the register was written, today), the same day everywhere.
    assert english.updated == english.published == "2024-10-25T12:00:00+02:00"
    assert word.updated == "2017-12-13T12:00:00+01:00"


def test_the_feed_is_the_same_whoever_asks_and_however(app, releases):
    client = TestClient(app)
    first = client.get("/public/feed.atom", headers={"Host": "a.example"}).content
    assert client.get("/public/feed.atom", headers={"Host": "b.example",
                                                   "X-Forwarded-Host": "c.example"}).content == first


def test_an_empty_feed_is_valid_too(app):
    answer = TestClient(app).get("/public/feed.atom")
    assert atom_problems(answer.content) == []
    assert feedparser.parse(answer.content).bozo == 0


def test_without_the_site_address_the_feed_is_refused_not_made_up(app, releases, monkeypatch):
    monkeypatch.delenv("NONCOOP_BASE_URL")
    answer = TestClient(app).get("/public/feed.atom", headers={"Host": "evil.example.com"})
    assert answer.status_code == 503
    assert "NONCOOP_BASE_URL" in answer.text and "evil.example.com" not in answer.text
