"""States Parties and their regional groups, from config/ (SPEC "A case": para 4, 87(5)(b))."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import cache

from noncoop import resources, yamlfile
from noncoop.errors import BadInput

CONFIG_DIR = resources.CONFIG


@dataclass(frozen=True)
class StateInfo:
    name: str
    group: str
    party: bool
    fr: str = ""  # the French short name, as the United Nations writes it
    fr_de: str = ""  # the French name after "de": "de la Mongolie", "du Kenya"
    fr_le: str = ""  # the French name with its article: "la Mongolie", "le Kenya", "Israël"

    def named(self, lang: str) -> str:
        return self.fr if lang == "fr" and self.fr else self.name

    def named_after_of(self, lang: str) -> str:
        return self.fr_de if lang == "fr" and self.fr_de else self.name

    def named_with_article(self, lang: str) -> str:
        """The name as a subject or after a noun: "l'État requis, la Mongolie," in French; the
        short name in English, which writes "the requested State, Mongolia,"."""
        return self.fr_le if lang == "fr" and self.fr_le else self.name


def group_name(group: str, lang: str) -> str:
    """A regional group's name in `lang` (config/states.yaml, groups_fr)."""
    return _groups_fr().get(group, group) if lang == "fr" else group


def groups() -> list[str]:
    """The five regional groups (SPEC "Who uses it")."""
    return sorted(_groups_fr())


@cache
def _groups_fr() -> dict[str, str]:
    return yamlfile.safe_load((CONFIG_DIR / "states.yaml").read_text(encoding="utf-8")).get("groups_fr", {})


@cache
def registry() -> dict[str, StateInfo]:
    found: dict[str, StateInfo] = {}
    parties = CONFIG_DIR / "states.yaml"
    if parties.exists():
        for s in yamlfile.safe_load(parties.read_text(encoding="utf-8"))["states_parties"]:
            info = StateInfo(s["name"], s["group"], True, s.get("fr", ""), s.get("fr_de", ""),
                             s.get("fr_le", ""))
            for name in [s["name"], *s.get("aliases", ())]:
                found[name.casefold()] = info
    others = yamlfile.safe_load((CONFIG_DIR / "non_parties.yaml").read_text(encoding="utf-8"))
    for s in others["non_parties"]:
        found.setdefault(s["name"].casefold(), StateInfo(s["name"], s["group"], False,
                                                         s.get("fr", ""), s.get("fr_de", ""),
                                                         s.get("fr_le", "")))
    return found


def lookup(name: str) -> StateInfo:
    reg = registry()
    info = reg.get(name.strip().casefold())
    if info is None:
        names = sorted({i.name for i in reg.values()})
        close = difflib.get_close_matches(name, names, n=3, cutoff=0.6)
        hint = f" Did you mean: {', '.join(close)}?" if close else ""
        raise BadInput(
            f"unknown State {name!r}: give its name as the United Nations writes it "
            f"(the list is in config/states.yaml).{hint}",
            code="unknown_state",
        )
    return info
