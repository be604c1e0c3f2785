"""A revised procedure is a new version; cases keep the version they were opened under."""

import datetime as dt
import shutil
from pathlib import Path

import yaml

from noncoop import services
from noncoop.domain import procedure as proc
from noncoop.domain.procedure import WORKFLOWS_DIR, load_procedure
from noncoop.services import steps, views
from noncoop.store import journal


def test_every_workflow_file_loads_into_a_machine():
    for path in WORKFLOWS_DIR.glob("*.yaml"):
        doc = yaml.safe_load(path.read_text())
        p = load_procedure(doc["name"], str(doc["version"]))
        for step in doc["steps"]:
            assert step["id"] in p.machine.events


def test_old_cases_keep_their_version_when_a_new_one_is_loaded(db, tmp_path: Path, monkeypatch):
    case = services.open_case(db, state="Mongolia", scenario="7a", decision_ref="r",
                              decision_date=dt.date(2024, 10, 24), referred_to=["assembly"])
    assert case["workflow"]["version"] == "2018"
    # A revised procedure: the same file with a new version and a new step.
    for path in WORKFLOWS_DIR.glob("*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    revised = yaml.safe_load((WORKFLOWS_DIR / "formal.yaml").read_text())
    revised["version"] = "2030"
    revised["steps"].append({"id": "regional_dialogue", "paragraph": "99", "title": "new",
                             "from": ["formal"]})
    (tmp_path / "formal@2030.yaml").write_text(yaml.safe_dump(revised))
    monkeypatch.setattr(proc, "WORKFLOWS_DIR", tmp_path)
    load_procedure.cache_clear()
    newer = load_procedure("formal", directory=tmp_path)
    assert newer.version == "2030" and "regional_dialogue" in newer.steps
    for module in (steps, views, journal):  # where a procedure is looked up
        monkeypatch.setattr(module, "load_procedure", lambda name="formal", version=None:
                            load_procedure(name, version, tmp_path))

    new_case = services.open_case(db, state="Mongolia", scenario="7a", decision_ref="s",
                                  decision_date=dt.date(2025, 1, 5), referred_to=["assembly"])
    assert new_case["workflow"]["version"] == "2030"
    assert "regional_dialogue" in new_case["allowed_actions"]
    old = services.show_case(db, case["id"])
    assert old["workflow"]["version"] == "2018"
    assert "regional_dialogue" not in [s["step"] for s in old["steps"]]
    load_procedure.cache_clear()
