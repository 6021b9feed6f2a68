"""Service centres: their place in the hierarchy, opening sessions, waiting-time promise and hall rules."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from hall.domain.calendar import DayKind, WorkingCalendar
from hall.domain.errors import DomainRuleViolation
from hall.domain.people import PriorityGroup


class CentreLevel(StrEnum):
    """Where a centre sits in the hierarchy (政务服务中心 → 便民服务中心 → 便民服务站)."""

    CITY = "city"
    COUNTY = "county"
    TOWNSHIP = "township"
    VILLAGE = "village"


LEVEL_ORDER: dict[CentreLevel, int] = {
    CentreLevel.CITY: 0,
    CentreLevel.COUNTY: 1,
    CentreLevel.TOWNSHIP: 2,
    CentreLevel.VILLAGE: 3,
}


def check_parent_level(level: CentreLevel, parent_level: CentreLevel | None) -> None:
    """Refuse a hierarchy in which a centre sits under a centre of its own level or below."""
    if parent_level is not None and LEVEL_ORDER[parent_level] >= LEVEL_ORDER[level]:
        raise DomainRuleViolation("parentCode", f"a {level} centre cannot sit under a {parent_level} centre")


@dataclass(frozen=True, slots=True)
class OpeningSession:
    """One opening period on one weekday (0 = Monday), local time of the centre."""

    weekday: int
    opens_at: time
    closes_at: time

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise DomainRuleViolation("weekday", "must be 0 (Monday) to 6 (Sunday)")
        if self.closes_at <= self.opens_at:
            raise DomainRuleViolation("closesAt", "must be after opensAt")


def check_sessions(sessions: Sequence[OpeningSession]) -> None:
    """Refuse overlapping sessions on the same weekday."""
    by_day: dict[int, list[OpeningSession]] = {}
    for session in sessions:
        by_day.setdefault(session.weekday, []).append(session)
    for day_sessions in by_day.values():
        ordered = sorted(day_sessions, key=lambda s: s.opens_at)
        for first, second in itertools.pairwise(ordered):
            if second.opens_at < first.closes_at:
                raise DomainRuleViolation("sessions", f"sessions overlap on weekday {first.weekday}")


def sessions_on(sessions: Sequence[OpeningSession], calendar: WorkingCalendar, on: date) -> list[OpeningSession]:
    """Return the opening sessions of a local date, in order.

    * A public holiday has none, whatever the weekday.
    * A make-up working day (调休上班) on a weekend runs the ordinary weekday schedule: Monday's sessions.
    * Any other day has the sessions published for its weekday, so a centre's own weekend hours (周末服务, e.g.
      Saturday 09:00–12:00) open it on an ordinary Saturday, although that day is not a working day for
      deadlines.
    """
    override = calendar.overrides.get(on)
    if override is not None and override.kind is DayKind.HOLIDAY:
        return []
    weekday = on.weekday()
    if override is not None and override.kind is DayKind.WORKDAY and weekday >= 5:
        weekday = 0
    return sorted((s for s in sessions if s.weekday == weekday), key=lambda s: s.opens_at)


def is_open(sessions: Sequence[OpeningSession], calendar: WorkingCalendar, local_now: datetime) -> bool:
    """Return whether the centre is open at a local, timezone-aware moment."""
    if local_now.tzinfo is None:
        raise DomainRuleViolation("now", "must be timezone-aware")
    moment = local_now.timetz().replace(tzinfo=None)
    return any(s.opens_at <= moment < s.closes_at for s in sessions_on(sessions, calendar, local_now.date()))


@dataclass(frozen=True, slots=True)
class WaitingPromise:
    """The centre's published waiting-time promise, e.g. 80 % called within 15 min and a mean of at most 10 min."""

    share_within: float = 0.80
    within_minutes: int = 15
    mean_minutes: int | None = 10

    def __post_init__(self) -> None:
        if not 0 < self.share_within <= 1:
            raise DomainRuleViolation("promise.shareWithin", "must be in (0, 1]")
        if self.within_minutes <= 0:
            raise DomainRuleViolation("promise.withinMinutes", "must be positive")
        if self.mean_minutes is not None and self.mean_minutes <= 0:
            raise DomainRuleViolation("promise.meanMinutes", "must be positive")

    @property
    def within(self) -> timedelta:
        return timedelta(minutes=self.within_minutes)

    def describe_zh(self) -> str:
        text = f"{round(self.share_within * 100)}% 在 {self.within_minutes} 分钟内叫号"
        if self.mean_minutes is not None:
            text += f"，平均等候不超过 {self.mean_minutes} 分钟"
        return text


DEFAULT_PRIORITY_GROUPS: tuple[PriorityGroup, ...] = (
    PriorityGroup.EMERGENCY,
    PriorityGroup.MILITARY,
    PriorityGroup.DISABLED,
    PriorityGroup.PREGNANT,
    PriorityGroup.ELDERLY,
    PriorityGroup.FIREFIGHTER,
    PriorityGroup.SERIOUSLY_ILL,
)


@dataclass(frozen=True, slots=True)
class HallRules:
    """A centre's queueing rules; every number is a configurable default (``shared/domain.md`` [D] values)."""

    calling_policy: str = "default"
    # Fairness cap: after this many priority calls in a row at one window, a normal ticket that has waited
    # longer than ``fairness_wait_minutes`` is called next.
    fairness_max_priority_in_row: int = 3
    fairness_wait_minutes: int = 20
    priority_groups: tuple[PriorityGroup, ...] = DEFAULT_PRIORITY_GROUPS
    elderly_age: int = 70
    max_recalls: int = 2
    no_show_reinstate_minutes: int = 30
    daily_ticket_cap: int | None = None
    # Appointments (shared/domain.md §3.5)
    appointment_checkin_early_minutes: int = 30
    appointment_checkin_late_minutes: int = 15
    appointment_cancel_before_minutes: int = 120
    appointment_horizon_days: int = 5
    appointment_no_show_limit: int = 2
    appointment_no_show_window_days: int = 90
    appointment_ban_days: int = 90
    # Visitors who left a phone number are told when this many people or fewer are ahead (0: never).
    notify_people_ahead: int = 2
    # Alerts (shared/domain.md §3.6)
    alert_waiting_per_window: int = 10
    alert_pause_minutes: int = 30

    def __post_init__(self) -> None:
        checks = {
            "fairnessMaxPriorityInRow": self.fairness_max_priority_in_row >= 1,
            "fairnessWaitMinutes": self.fairness_wait_minutes >= 0,
            "elderlyAge": 50 <= self.elderly_age <= 100,
            "maxRecalls": self.max_recalls >= 0,
            "noShowReinstateMinutes": self.no_show_reinstate_minutes >= 0,
            "dailyTicketCap": self.daily_ticket_cap is None or self.daily_ticket_cap > 0,
            "appointmentCheckinEarlyMinutes": self.appointment_checkin_early_minutes >= 0,
            "appointmentCheckinLateMinutes": self.appointment_checkin_late_minutes >= 0,
            "appointmentCancelBeforeMinutes": self.appointment_cancel_before_minutes >= 0,
            "appointmentHorizonDays": self.appointment_horizon_days >= 1,
            "appointmentNoShowLimit": self.appointment_no_show_limit >= 1,
            "appointmentNoShowWindowDays": self.appointment_no_show_window_days >= 1,
            "appointmentBanDays": self.appointment_ban_days >= 0,
            "notifyPeopleAhead": 0 <= self.notify_people_ahead <= 50,
            "alertWaitingPerWindow": self.alert_waiting_per_window >= 1,
            "alertPauseMinutes": self.alert_pause_minutes >= 1,
        }
        for name, ok in checks.items():
            if not ok:
                raise DomainRuleViolation(f"rules.{name}", "is out of range")
        if PriorityGroup.EMERGENCY not in self.priority_groups:
            raise DomainRuleViolation("rules.priorityGroups", "emergency must always be honoured")


def is_within_scope(centre_path: Sequence[str], scope_code: str) -> bool:
    """Return whether a centre (given by its path of codes from the root) is ``scope_code`` or below it."""
    return scope_code in centre_path


__all__ = [
    "DEFAULT_PRIORITY_GROUPS",
    "CentreLevel",
    "HallRules",
    "OpeningSession",
    "WaitingPromise",
    "check_parent_level",
    "check_sessions",
    "is_open",
    "is_within_scope",
    "sessions_on",
]
