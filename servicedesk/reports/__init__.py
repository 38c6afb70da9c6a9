"""The figures of domain.md, computed once per report and shared by every output format:
the weekly report and the trend (weekly.py), and the reports over a cohort of tickets —
closure and the department scorecard (cohorts.py), and an officer's agenda (agenda.py)."""

from .agenda import agenda
from .cohorts import CLOSURE_DIMENSIONS, closure, departments
from .weekly import as_of, trend, weekly

__all__ = ["CLOSURE_DIMENSIONS", "agenda", "as_of", "closure", "departments", "trend", "weekly"]
