"""The peer a durable step is measured against (bench/transition.py): SpiffWorkflow 3, a BPMN
engine, running the formal procedure's steps as user tasks in sequence, its workflow serialized
(BpmnWorkflowSerializer) into a SQLite row and committed after each task completed, so that
each of its steps is durable too.

The BPMN is made at run time from workflows/formal.yaml (the steps of the formal procedure, in
their order, with their ids and titles). A step of the peer does what a step of ours does: it
reads its workflow's row, deserializes it, completes the task, and writes it back, as a server
holding no workflow between requests would. It needs the `bench` extra
(`pip install 'noncoop[bench]'`)."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from xml.sax.saxutils import quoteattr

from noncoop.domain import load_procedure

PROCESS = "formal"


def missing() -> str | None:
    """Why the peer cannot run here, or None."""
    try:
        import SpiffWorkflow  # noqa: F401
    except ImportError:
        return "SpiffWorkflow is not installed: pip install 'noncoop[bench]'"
    return None


def bpmn() -> str:
    """The formal procedure's steps as BPMN user tasks, from start to end in sequence."""
    procedure = load_procedure(PROCESS)
    steps = [s for s in procedure.steps.values() if s.workflow == procedure.name]
    nodes = ["start", *(s.id for s in steps), "end"]
    flows = "".join(f'<bpmn:sequenceFlow id="flow{n}" sourceRef="{a}" targetRef="{b}"/>'
                    for n, (a, b) in enumerate(zip(nodes, nodes[1:], strict=False)))
    tasks = "".join(f"<bpmn:userTask id={quoteattr(s.id)} name={quoteattr(s.title)}/>"
                    for s in steps)
    return ('<?xml version="1.0" encoding="UTF-8"?>'
            '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
            'id="noncoop" targetNamespace="https://example.org/noncoop">'
            f'<bpmn:process id="{PROCESS}" isExecutable="true"><bpmn:startEvent id="start"/>'
            f'{tasks}<bpmn:endEvent id="end"/>{flows}</bpmn:process></bpmn:definitions>')


class Peer:
    """Workflows of the formal procedure in SpiffWorkflow, stored in `path` with SQLite's
    `synchronous` set as noncoop's own store sets it."""

    def __init__(self, path: Path, synchronous: str) -> None:
        from SpiffWorkflow.bpmn import BpmnWorkflow
        from SpiffWorkflow.bpmn.parser import BpmnParser
        from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
        from SpiffWorkflow.util.task import TaskState

        parser = BpmnParser()
        parser.add_bpmn_str(bpmn().encode("utf-8"))
        self._spec = parser.get_spec(PROCESS)
        self._new, self._ready = BpmnWorkflow, TaskState.READY
        self._serializer = BpmnWorkflowSerializer()
        self._conn = sqlite3.connect(path, isolation_level=None)
        for pragma in ("journal_mode=WAL", f"synchronous={synchronous}", "busy_timeout=5000"):
            self._conn.execute(f"PRAGMA {pragma}")
        self._conn.execute("CREATE TABLE workflows (id INTEGER PRIMARY KEY, state TEXT NOT NULL)")
        self._id, self._done = 0, True

    def _start(self) -> None:
        """A new workflow, stored: as a case is opened, outside the steps timed."""
        workflow = self._new(self._spec)
        workflow.do_engine_steps()
        self._id += 1
        self._conn.execute("INSERT INTO workflows (id, state) VALUES (?, ?)",
                           (self._id, self._serializer.serialize_json(workflow)))
        self._done = False

    def steps(self, n: int) -> float:
        """Seconds for n steps: the workflow read, a user task completed, the workflow stored
        and committed."""
        elapsed = 0.0
        for _ in range(n):
            if self._done:  # a finished workflow makes way for a new one, untimed
                self._start()
            start = time.perf_counter()
            (state,) = self._conn.execute("SELECT state FROM workflows WHERE id = ?",
                                          (self._id,)).fetchone()
            workflow = self._serializer.deserialize_json(state)
            workflow.get_tasks(state=self._ready, manual=True)[0].run()
            workflow.do_engine_steps()
            self._conn.execute("BEGIN IMMEDIATE")
            self._conn.execute("UPDATE workflows SET state = ? WHERE id = ?",
                               (self._serializer.serialize_json(workflow), self._id))
            self._conn.execute("COMMIT")
            elapsed += time.perf_counter() - start
            self._done = not workflow.get_tasks(state=self._ready, manual=True)
        return elapsed

    def close(self) -> None:
        self._conn.close()
