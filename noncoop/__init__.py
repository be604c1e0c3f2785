"""noncoop: case tracker and workflow engine for the Assembly procedures relating to
non-cooperation (Annex II of ICC-ASP/17/Res.5)."""

__version__ = "0.1.0"
