"""Who acts, and by which way: kept apart from the access rules so that the command line can
name its default and its way in without importing them (and the ORM with them)."""

from contextvars import ContextVar

ADMIN = "admin@localhost"  # the local administrator: the default of --as (INTERFACE.md)
SWEEPER = "system:sweep"  # the deadline sweep, as the events it records name it
# How the person came in, for the access log: cli, api, web, or a service of noncoop itself.
WAY_IN: ContextVar[str] = ContextVar("noncoop_way_in", default="service")
