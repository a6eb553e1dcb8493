"""Weekly sampling: stratified per agent, part risk-based, part random, deterministic and idempotent.

The package, one module per feature, imports one way (each module only from those above it):

- ``rules``: strata, what is sampleable, the risk signals, ``SamplingError``
- ``weeks``: ISO weeks (``parse_week``, ``week_of``, ``last_week``)
- ``hashing``: the deterministic random order, in Python (``rank_key``) and in SQL
- ``policies``: a team's settings, validated, saved and audited
- ``statements``: the draw's SQL, one cached statement per policy shape
- ``assignment``: samples to reviewers, balanced by capacity
- ``draw``: the weekly draw and its dry-run preview
- ``replacement``: swapping an interaction a reviewer cannot work on
- ``coverage``: per-agent coverage and the margin of error of the mean score

Callers use the names below: ``from qa.services import sampling; sampling.draw(policy, week)``.
"""

from .assignment import assign, open_assignments, team_open_assignments
from .coverage import AgentCoverage, coverage, margin_of_error
from .draw import AgentDraw, DrawReport, draw, preview
from .hashing import rank_key
from .policies import active_policies, manageable_teams, save_policy, team_policies
from .replacement import replace
from .rules import SamplingError
from .weeks import last_week, parse_week, week_of

__all__ = [
    "AgentCoverage",
    "AgentDraw",
    "DrawReport",
    "SamplingError",
    "active_policies",
    "assign",
    "coverage",
    "draw",
    "last_week",
    "manageable_teams",
    "margin_of_error",
    "open_assignments",
    "parse_week",
    "preview",
    "rank_key",
    "replace",
    "save_policy",
    "team_open_assignments",
    "team_policies",
    "week_of",
]
