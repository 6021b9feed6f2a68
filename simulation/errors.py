"""The error the simulation raises when a scenario, a distribution or a staffing target is unusable."""

from __future__ import annotations

from hall.domain.errors import DomainRuleViolation


class ScenarioError(DomainRuleViolation):
    """A scenario (or one of its parts) refused before running.

    ``field`` is the path of the offending value in the scenario's JSON form, e.g.
    ``arrivals.SS01[3]`` or ``roster[2].7``; ``reason`` says what is wrong with it.
    """
