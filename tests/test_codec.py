"""The snapshot on the case row holds exactly what the case is."""

import dataclasses
import datetime as dt
import json

from noncoop.domain.case import Case, Deadline, StepRecord
from noncoop.store.codec import from_snapshot, to_snapshot

D = dt.date


def test_a_snapshot_round_trips_every_field():
    case = Case(id="NC-2024-001", requested_state="Mongolia", region="Asia-Pacific States",
                scenario="7a", stage="formal", confidentiality="bureau", referred_to=["assembly"],
                workflow="formal", workflow_version="2018", decision_ref="ICC-01/22-90",
                decision_date=D(2024, 10, 24), travel_date=D(2024, 9, 3),
                steps={"open_letter": StepRecord("in_progress", D(2024, 10, 28), None, 0,
                                                 {"action": "send", "reply_days": "30"})},
                deadlines=[Deadline("open_letter", "reply", D(2024, 11, 27), "missed", "basis",
                                    remind_from=D(2024, 11, 20), done_on=D(2024, 12, 2))])
    snap = to_snapshot(case)
    assert snap["decision_date"] == "2024-10-24"
    assert snap["deadlines"][0]["done_on"] == "2024-12-02"
    assert from_snapshot(snap) == case
    assert set(snap) == {f.name for f in dataclasses.fields(Case)}
    assert json.loads(json.dumps(snap)) == snap  # plain JSON, nothing left as a date
