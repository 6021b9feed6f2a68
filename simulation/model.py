"""The SimPy twin of a hall: visitors arrive, clerks call them with the centre's own policy, and serve them.

The actors are named after the hall's: :class:`_Arrivals` issues tickets, one :class:`_Clerk` works each window,
and the :func:`roster` process seats staff slot by slot and opens and closes the hall. The state they share lives
in :class:`HallModel`. Clerks and arrivals act at every visitor, so they are SimPy event callbacks rather than
generator processes (same events, same times, same order; see the note above ``_Start``); the roster, which acts a
few times a day, stays a process, as do scripted arrivals.

**The twin calls the live hall's policy.** A clerk builds a frozen ``WindowSnapshot`` of its window and the
``WaitingTicket`` list, converts ``env.now`` to an aware datetime (as :class:`~simulation.clock.SimClock` does)
and calls ``queueing.domain.routing.get_policy(scenario.calling_policy)`` — the same function the live
``call_next`` uses — for every call it makes. Eligibility (which tickets a window may call) is decided by the
shared ``can_serve``; the twin only uses it to skip tickets the policy would filter out anyway, so the decision is
the same.

**Idle clerks sleep on an event, not a poll.** A clerk with nothing to call registers a ``simpy.Event`` in
``HallModel.idle`` and waits on it. When a ticket is issued, the model wakes the longest-idle staffed window that
may serve it (one window, so several clerks never race for one visitor); when the roster seats someone at a
window, that window is woken. Waiting visitors are kept in buckets by their items, so building a clerk's ticket
list touches only buckets its window may serve.

**Cost.** The twin runs once per simulated visitor what the bare SimPy loop does not have (a ticket, a policy call,
a record), so its own bookkeeping is kept lean (``BENCHMARKS.md``): two events per visitor (its arrival and the end
of its call; a clerk woken by an arrival runs at once when nothing else is due that minute), each actor re-arming
its own timeout; what a window may call is remembered per seated clerk and items (``_Desk``) and per items and
window for waking; snapshots are reused per priority streak; ticket ids and numbers are formatted once per process;
a clerk with nobody waiting sleeps without asking the policy; the per-visitor objects are built by the domain's
fast constructors or positionally. None of it changes a decision: the golden centre day and the parity test with
the live hall pin the output. ``make install`` also compiles this file, with the routing policy and
``simulation.draws``, with mypyc (``hall.compiled``); the compiled module is used only while it matches this source,
and ``tests/unit/simulation/test_compiled.py`` requires both to give the same records.
"""

from __future__ import annotations

import bisect
import itertools
import math
import operator
import random
import threading
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

import simpy

from hall.domain.catalogue import ItemRequirement
from hall.domain.people import PriorityGroup
from hall.domain.skills import SkillLevel
from queueing.domain.numbering import format_ticket_number
from queueing.domain.routing import CallingPolicy, can_serve, get_policy, next_priority_streak
from queueing.domain.snapshot import AppointmentSlot, CallDecision, WaitingTicket, WindowSnapshot, new_waiting_ticket
from simulation.clock import SimClock
from simulation.distributions import Sampler
from simulation.draws import exponential_draw
from simulation.records import Outcome, ServiceRecord
from simulation.scenario import Scenario, StaffSpec, WindowSpec, window_snapshot

ProcessGenerator = Generator[simpy.Event, object, None]

RECHECK_MINUTES = 1.0
"""How soon a clerk asks again when the policy declined every eligible ticket (no current policy does)."""

ItemKey = tuple[str, ...]

_new_tuple = tuple.__new__
_Event = simpy.Event
_NORMAL = simpy.events.NORMAL
_SERVED = Outcome.SERVED
_NO_SHOW = Outcome.NO_SHOW
_BY_SEQUENCE = operator.attrgetter("sequence")

# Ticket ids and numbers by sequence, made once per process and shared by every run in it (a run issues the same
# sequences as the one before): a list index instead of formatting a string per visitor. Lists only grow, under a
# lock (runs may share a process's threads); reading an index below the length needs no lock.
_ticket_ids: list[str] = []
_ticket_numbers: dict[str, list[str]] = {}
_formatting = threading.Lock()


def _ticket_id(sequence: int) -> str:
    """Return the twin's id of the ticket with issue ``sequence``: ``T000042``."""
    ids = _ticket_ids
    if sequence >= len(ids):
        with _formatting:
            while len(ids) <= sequence:
                ids.append(f"T{len(ids):06d}")
    return ids[sequence]


def _ticket_number(prefix: str, sequence: int) -> str:
    """Return ``format_ticket_number(prefix, sequence)``, formatted once per process."""
    numbers = _ticket_numbers.get(prefix)
    if numbers is None or sequence >= len(numbers):
        with _formatting:
            numbers = _ticket_numbers.setdefault(prefix, [""])  # sequences start at 1
            while len(numbers) <= sequence:
                numbers.append(format_ticket_number(prefix, len(numbers)))
    return numbers[sequence]


class _Numbering:
    """One ticket prefix's daily numbering in a run: the last sequence issued, and the process's formatted numbers."""

    __slots__ = ("last", "numbers", "prefix")

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.last = 0
        _ticket_number(prefix, 1)  # makes the prefix's list, which only ever grows in place
        self.numbers = _ticket_numbers[prefix]


@dataclass(frozen=True, slots=True)
class RandomStreams:
    """Independent, explicitly seeded random streams, one per source of randomness.

    Separate streams keep, for example, the arrival pattern unchanged when a staffing change alters how many
    service times are drawn (common random numbers across what-if scenarios).
    """

    arrivals: random.Random
    visitors: random.Random
    service: random.Random
    patience: random.Random

    @classmethod
    def from_seed(cls, seed: int) -> RandomStreams:
        """Derive the four streams from one integer seed (string seeds hash with SHA-512, stable across runs)."""
        return cls(
            arrivals=random.Random(f"{seed}:arrivals"),  # noqa: S311 - simulation, not cryptography
            visitors=random.Random(f"{seed}:visitors"),  # noqa: S311
            service=random.Random(f"{seed}:service"),  # noqa: S311
            patience=random.Random(f"{seed}:patience"),  # noqa: S311
        )


@dataclass(frozen=True, slots=True)
class ScriptedArrival:
    """A visitor given in advance instead of drawn: for replaying a ticket log or a parity test with the live hall.

    Attributes:
        minute: Arrival, minutes from the scenario start.
        item_codes: The items on the ticket (all served in one visit).
        priority_group: The visitor's priority group, if any.
        has_appointment: Whether the visitor booked the slot they arrive in.
        is_no_show: Whether the visitor is gone when called.
        service_minutes: A fixed service time (``None``: drawn from the items' distributions).
        patience_minutes: When the visitor gives up (``None``: the scenario's patience, if any).
    """

    minute: float
    item_codes: tuple[str, ...]
    priority_group: PriorityGroup | None = None
    has_appointment: bool = False
    is_no_show: bool = False
    service_minutes: float | None = None
    patience_minutes: float | None = None


class _Visitor(NamedTuple):
    """A visitor in the hall (never leaves the model; records are the output).

    A visitor is waiting while the model's ``visitors`` maps their ticket id to them. A ``NamedTuple``, built
    positionally with ``tuple.__new__``: one per simulated visitor.
    """

    ticket: WaitingTicket
    key: ItemKey  # the item codes
    arrived: float  # minutes
    is_no_show: bool
    service_minutes: float | None = None  # a fixed service time (scripted visitors), else drawn


class _Desk:
    """What the twin remembers about one window with one clerk seated: eligibility by items and its snapshots.

    Eligibility depends only on the window, its clerk and the ticket's items (the twin never reserves tickets), so
    the shared ``can_serve``'s answer for one ticket holds for every ticket with the same items.
    """

    __slots__ = ("eligible", "samplers", "snapshots", "staff")

    def __init__(self, staff: StaffSpec) -> None:
        self.staff = staff
        self.eligible: dict[ItemKey, bool] = {}
        self.snapshots: dict[int, WindowSnapshot] = {}  # by priority_calls_in_row
        self.samplers: dict[ItemKey, Sampler] = {}  # service time at the clerk's level, for single items


class HallModel:
    """The state the hall's processes share: seats, the waiting line, idle clerks and the records.

    Args:
        env: The SimPy environment (time unit: minutes from ``scenario.start``).
        scenario: A validated scenario.
        streams: The seeded random streams.
        policy: The calling policy; defaults to the shared one named by ``scenario.calling_policy``.
    """

    def __init__(
        self,
        env: simpy.Environment,
        scenario: Scenario,
        streams: RandomStreams,
        policy: CallingPolicy | None = None,
    ) -> None:
        self.env = env
        self.scenario = scenario
        self.streams = streams
        self.clock = SimClock(scenario.start)
        self.policy: CallingPolicy = policy if policy is not None else get_policy(scenario.calling_policy)
        self.rules = scenario.routing_rules
        # Everything the run iterates is put in a fixed order, so a result depends on the scenario's content and
        # the seed, never on the order its mappings happened to be built in.
        self.windows: dict[int, WindowSpec] = {w.number: w for w in sorted(scenario.windows, key=lambda w: w.number)}
        self.staff: dict[str, StaffSpec] = scenario.staff_by_id
        self.requirements: dict[str, ItemRequirement] = {c: i.requirement for c, i in scenario.items.items()}
        self.is_open = False
        self.seat: dict[int, StaffSpec | None] = dict.fromkeys(self.windows)
        self.rostered: dict[int, StaffSpec | None] = dict.fromkeys(self.windows)
        self._rostered_at: dict[str, int] = {}
        self.serving: dict[str, int] = {}  # staff id → window where they are serving right now
        self.busy_windows: set[int] = set()
        self.streak: dict[int, int] = dict.fromkeys(self.windows, 0)
        # Idle clerks by window, longest idle first: the event each waits on, or ``None`` for a clerk that asked for
        # nothing but a wake-up (its event is made only if one is needed; an arrival usually runs it at once).
        self.idle: dict[int, simpy.Event | None] = {}
        self.clerks: dict[int, _Clerk] = {}  # by window number, filled by ``build``
        self.waiting: dict[ItemKey, dict[str, WaitingTicket]] = {}
        self.visitors: dict[str, _Visitor] = {}
        self.records: list[ServiceRecord] = []
        self.pending_service: dict[int, float] = {}  # window → minutes left of a service under way at minute 0
        self.busy_minutes: dict[int, float] = dict.fromkeys(self.windows, 0.0)
        self.staffed_minutes: dict[int, float] = dict.fromkeys(self.windows, 0.0)
        self._seated_since: dict[int, float] = {}
        self._sequence = 0
        self._numberings: dict[str, _Numbering] = {}  # by ticket prefix
        self._desks: dict[tuple[int, str], _Desk] = {}
        self._seated_desk: dict[int, _Desk] = {}
        self._may_call: dict[ItemKey, dict[int, bool]] = {}  # items → window → may whoever sits there call them
        # Per items: their requirements, their bucket of ``waiting`` and their prefix's numbering.
        self._lines: dict[ItemKey, tuple[tuple[ItemRequirement, ...], dict[str, WaitingTicket], _Numbering]] = {}
        self._start = scenario.start
        self._last_minute: float = math.nan  # the last arrival's minute, and its datetime
        self._last_at: datetime = scenario.start
        self._samplers: dict[tuple[str, SkillLevel], Sampler] = {
            (code, level): spec.sampler()
            for code, item in scenario.items.items()
            for level, spec in item.service.items()
        }
        self._service_rng = streams.service
        self._patience: Sampler | None = None if scenario.patience is None else scenario.patience.sampler()
        order = list(PriorityGroup)
        groups = sorted(
            ((g, s) for g, s in scenario.priority_shares.items() if s > 0), key=lambda gs: order.index(gs[0])
        )
        self._group_cuts = list(itertools.accumulate([s for _, s in groups]))
        self._groups: list[PriorityGroup] = [g for g, _ in groups]
        self._priority_total = self._group_cuts[-1] if groups else 0.0
        self._draws_who = self._priority_total > 0 or scenario.appointment_share > 0
        self._no_show = scenario.no_show_probability
        self._appointment_no_show = scenario.effective_appointment_no_show_probability
        self._warmup = scenario.warmup_minutes

    # ---- seats and accounting ---------------------------------------------------------------------------------

    def _counted(self, start: float, end: float) -> float:
        """Return the part of ``[start, end]`` after the warm-up."""
        return max(0.0, end - max(start, self._warmup))

    def book_busy(self, number: int, start: float, end: float) -> None:
        """Add ``[start, end]`` (after the warm-up) to window ``number``'s busy time."""
        self.busy_minutes[number] += self._counted(start, end)

    def set_seat(self, number: int, staff: StaffSpec | None) -> None:
        """Seat ``staff`` at window ``number`` (``None`` vacates it) and keep the staffed-time account."""
        current = self.seat[number]
        if current is staff:
            return
        now = self.env.now
        if current is not None:
            self.staffed_minutes[number] += self._counted(self._seated_since.pop(number), now)
        self.seat[number] = staff
        for known in self._may_call.values():
            known.pop(number, None)
        if staff is not None:
            self._seated_since[number] = now
        self.wake(number)

    def _set_rostered(self, number: int, staff: StaffSpec | None) -> None:
        previous = self.rostered[number]
        if previous is not None and self._rostered_at.get(previous.staff_id) == number:
            del self._rostered_at[previous.staff_id]
        self.rostered[number] = staff
        if staff is not None:
            self._rostered_at[staff.staff_id] = number

    def sync_seat(self, number: int) -> None:
        """Seat whoever the roster puts at window ``number``, once the window and that person are free.

        A clerk finishes the current visitor before handing over, and a staff member moving windows arrives only
        after finishing at the old one; until then the window stays empty.
        """
        if number in self.busy_windows:
            return
        target = self.rostered[number]
        if target is not None and self.serving.get(target.staff_id, number) != number:
            target = None
        self.set_seat(number, target)

    def apply_roster(self, slot: int) -> None:
        """Seat the roster of ``slot`` (hand-overs wait for the visitor being served)."""
        seats = self.scenario.roster[slot]
        for number in self.windows:
            staff_id = seats.get(number)
            self._set_rostered(number, None if staff_id is None else self.staff[staff_id])
        for number in self.windows:
            self.sync_seat(number)

    def leave(self, number: int) -> None:
        """The clerk at ``number`` leaves until the roster seats someone again (after a close)."""
        self._set_rostered(number, None)
        self.set_seat(number, None)

    def finish_service(self, number: int, staff: StaffSpec) -> None:
        """Free the window and its clerk after a call; carry out a hand-over the roster asked for meanwhile."""
        del self.serving[staff.staff_id]
        self.busy_windows.discard(number)
        if self.rostered[number] is not staff:
            self.sync_seat(number)
        moved_to = self._rostered_at.get(staff.staff_id)
        if moved_to is not None and moved_to != number:
            self.sync_seat(moved_to)

    def open_session(self, slot: int) -> None:
        """Open the hall for tickets and seat the roster of ``slot``."""
        self.is_open = True
        self.apply_roster(slot)

    def close_session(self) -> None:
        """Stop issuing tickets; send the queue home unless it is cleared; idle clerks leave."""
        self.is_open = False
        if not self.scenario.clear_queue_at_close:
            for visitor in list(self.visitors.values()):
                self._take(visitor)
                self._record_unserved(visitor, self.env.now)
        for number in self.windows:
            if number not in self.busy_windows:
                self.leave(number)

    # ---- sleeping and waking ----------------------------------------------------------------------------------

    def sleep(self, number: int) -> simpy.Event:
        """Return the event a clerk at ``number`` yields until something changes for it."""
        event = self.idle[number] = _Event(self.env)
        return event

    def wake(self, number: int) -> None:
        """Wake the clerk at ``number`` if it is asleep."""
        if number in self.idle:
            self._wake(number, self.idle.pop(number))

    def _wake(self, number: int, event: simpy.Event | None) -> None:
        """Succeed the event the clerk at ``number`` waits on, taken from ``idle`` (made now if it has none)."""
        if event is None:
            event = _Event(self.env)
            event.callbacks.append(self.clerks[number].on_woken)
        event.succeed()

    def _wake_one_for(self, key: ItemKey, ticket: WaitingTicket) -> None:
        """Wake the longest-idle staffed window that may serve a newly issued ticket."""
        number = self._idle_window_for(key, ticket)
        if number is not None:
            self._wake(number, self.idle.pop(number))

    def _idle_window_for(self, key: ItemKey, ticket: WaitingTicket) -> int | None:
        """Return the longest-idle staffed window that may serve a newly issued ticket, if any."""
        known = self._may_call.get(key)
        if known is None:
            known = self._may_call[key] = {}
        for number in self.idle:
            allowed = known.get(number)
            if allowed is None:
                staff = self.seat[number]
                allowed = known[number] = staff is not None and self._may_serve(
                    number, self._desk(number, staff), key, ticket
                )
            if allowed:
                return number
        return None

    # ---- the waiting line -------------------------------------------------------------------------------------

    def _desk(self, number: int, staff: StaffSpec) -> _Desk:
        """Return what the twin remembers about window ``number`` with ``staff`` seated."""
        desk = self._seated_desk.get(number)
        if desk is None or desk.staff is not staff:
            desk = self._desks.get((number, staff.staff_id))
            if desk is None or desk.staff is not staff:
                desk = self._desks[number, staff.staff_id] = _Desk(staff)
            self._seated_desk[number] = desk
        return desk

    def _may_serve(self, number: int, desk: _Desk, key: ItemKey, ticket: WaitingTicket) -> bool:
        allowed = desk.eligible.get(key)
        if allowed is None:
            allowed = desk.eligible[key] = can_serve(self._snapshot(number, desk), ticket)
        return allowed

    def _snapshot(self, number: int, desk: _Desk) -> WindowSnapshot:
        streak = self.streak[number]
        snapshot = desk.snapshots.get(streak)
        if snapshot is None:
            snapshot = desk.snapshots[streak] = window_snapshot(self.windows[number], desk.staff, streak)
        return snapshot

    def issue_scripted(self, arrival: ScriptedArrival) -> _Visitor:
        """Issue the ticket of a scripted visitor arriving now (nothing about them is drawn at random)."""
        visitor = self._issue(
            arrival.item_codes,
            arrival.priority_group,
            arrival.has_appointment,
            arrival.is_no_show,
            arrival.service_minutes,
            arrival.patience_minutes,
        )
        if self.idle:
            self._wake_one_for(visitor.key, visitor.ticket)
        return visitor

    def _issue(
        self,
        key: ItemKey,
        group: PriorityGroup | None,
        has_appointment: bool,
        is_no_show: bool,
        service_minutes: float | None,
        patience_minutes: float | None,
        now: float | None = None,
    ) -> _Visitor:
        if now is None:
            now = self.env.now
        line = self._lines.get(key)
        if line is None:
            requirements = tuple(self.requirements[code] for code in key)
            bucket = self.waiting.get(key)
            if bucket is None:
                bucket = self.waiting[key] = {}
            prefix = requirements[0].domain.default_ticket_prefix
            numbering = self._numberings.get(prefix)
            if numbering is None:
                numbering = self._numberings[prefix] = _Numbering(prefix)
            line = self._lines[key] = (requirements, bucket, numbering)
        requirements, bucket, numbering = line
        self._sequence = sequence = self._sequence + 1
        numbering.last = prefix_sequence = numbering.last + 1
        appointment: AppointmentSlot | None = None
        if has_appointment:
            scenario = self.scenario
            slot = scenario.slot_of(now)
            appointment = AppointmentSlot(
                starts_at=self.clock.at(slot * scenario.slot_minutes),
                ends_at=self.clock.at((slot + 1) * scenario.slot_minutes),
            )
        ids = _ticket_ids
        ticket_id = ids[sequence] if sequence < len(ids) else _ticket_id(sequence)
        numbers = numbering.numbers
        number = (
            numbers[prefix_sequence]
            if prefix_sequence < len(numbers)
            else _ticket_number(numbering.prefix, prefix_sequence)
        )
        if now != self._last_minute:
            self._last_minute = now
            self._last_at = self._start + timedelta(0, 0, 0, 0, now)  # = self.clock.at(now)
        # ``WaitingTicket(ticket_id, number, items, arrived_at, sequence, priority_group, appointment)`` and
        # ``_Visitor(ticket, key, arrived, is_no_show, service_minutes)``, by their fast constructors.
        ticket = new_waiting_ticket(ticket_id, number, requirements, self._last_at, sequence, group, appointment)
        self.visitors[ticket_id] = visitor = _new_tuple(_Visitor, (ticket, key, now, is_no_show, service_minutes))
        bucket[ticket_id] = ticket
        if not is_no_show and (patience_minutes is not None or self._patience is not None):
            # A no-show has already gone; the hall learns it only when the ticket is called.
            if patience_minutes is None and self._patience is not None:
                patience_minutes = self._patience(self.streams.patience)
            if patience_minutes is not None:
                timer = self.env.timeout(patience_minutes, value=visitor)
                timer.callbacks.append(self._on_patience_over)
        return visitor

    def preload(
        self, ticket: WaitingTicket, item_codes: ItemKey, arrived_minutes: float, *, is_no_show: bool = False
    ) -> None:
        """Put a ticket that is already waiting at minute 0 into the line (for predictions from the live hall).

        The ticket keeps its own id, number, arrival and sequence; call this before the run starts.
        """
        visitor = _Visitor(ticket, item_codes, arrived_minutes, is_no_show)
        self.visitors[ticket.ticket_id] = visitor
        self.waiting.setdefault(item_codes, {})[ticket.ticket_id] = ticket

    def _take(self, visitor: _Visitor) -> None:
        # An emptied bucket stays (the line empties and refills all day); readers skip empty buckets.
        ticket_id = visitor.ticket.ticket_id
        del self.visitors[ticket_id]
        del self.waiting[visitor.key][ticket_id]

    def _on_patience_over(self, event: simpy.Event) -> None:
        visitor = event.value
        assert isinstance(visitor, _Visitor)
        if self.visitors.get(visitor.ticket.ticket_id) is visitor:  # still waiting
            self._take(visitor)
            self._record_left_unseen(visitor, Outcome.ABANDONED, self.env.now)

    def eligible_waiting(self, number: int, staff: StaffSpec) -> list[WaitingTicket]:
        """Return the waiting tickets window ``number`` may call (by the shared ``can_serve``)."""
        return self._eligible_waiting(number, self._desk(number, staff))

    def _eligible_waiting(self, number: int, desk: _Desk) -> list[WaitingTicket]:
        known = desk.eligible
        tickets: list[WaitingTicket] = []
        for key, bucket in self.waiting.items():
            if not bucket:
                continue
            allowed = known.get(key)
            if allowed is None:
                allowed = self._may_serve(number, desk, key, next(iter(bucket.values())))
            if allowed:
                if tickets:
                    tickets.extend(bucket.values())
                else:
                    tickets = list(bucket.values())
        return tickets

    def service_minutes(self, visitor: _Visitor, staff: StaffSpec) -> float:
        """Draw the service time of all the visitor's items for the staff member's level."""
        if visitor.service_minutes is not None:
            return visitor.service_minutes
        key = visitor.key
        if len(key) == 1:
            return self._samplers[key[0], staff.skill_level](self._service_rng)
        rng = self._service_rng
        level = staff.skill_level
        return math.fsum([self._samplers[code, level](rng) for code in key])

    # ---- records ----------------------------------------------------------------------------------------------

    def _record_left_unseen(self, visitor: _Visitor, outcome: Outcome, at: float) -> None:
        ticket = visitor.ticket
        self.records.append(
            ServiceRecord(
                ticket_id=ticket.ticket_id,
                ticket_number=ticket.number,
                sequence=ticket.sequence,
                item_codes=visitor.key,
                priority_group=ticket.priority_group,
                has_appointment=ticket.appointment is not None,
                outcome=outcome,
                arrived_minutes=visitor.arrived,
                called_minutes=None,
                started_minutes=None,
                ended_minutes=at,
                waited_minutes=at - visitor.arrived,
            )
        )

    def _record_unserved(self, visitor: _Visitor, at: float) -> None:
        self._record_left_unseen(visitor, Outcome.UNSERVED, max(at, visitor.arrived))

    def finish(self) -> None:
        """Close the books after the run: visitors still waiting are unserved, seats are vacated."""
        end = max(self.env.now, self.scenario.horizon_minutes)
        for visitor in list(self.visitors.values()):
            self._take(visitor)
            self._record_unserved(visitor, self.scenario.horizon_minutes)
        for number in self.windows:
            if self.seat[number] is not None:
                self.staffed_minutes[number] += self._counted(self._seated_since.pop(number), end)
                self.seat[number] = None
        self.records.sort(key=_BY_SEQUENCE)


# ---- the actors ---------------------------------------------------------------------------------------------------
#
# The clerks and the arrivals are event callbacks rather than generator processes: each waits on a SimPy event
# (a timeout, or the idle event the model succeeds to wake it) whose callback is the actor's next step. SimPy
# runs both the same way — the environment pops the event and calls its callbacks; a process is itself such a
# callback, which resumes a generator — so the events, their times and their order are those of the processes
# they replace; the callbacks only save resuming a generator at every step (once or twice per visitor).
#
# Each actor's own timeout (a clerk's end of call, the next arrival) is one ``Timeout`` re-armed rather than a new
# one per step: once processed, SimPy is done with an event (``step`` has taken its callbacks), so giving it a new
# callback and scheduling it again with ``env.schedule(timer, NORMAL, delay)`` — what ``Timeout.__init__`` does —
# is the same timeout at the same time and place in the queue, without building an event per visitor. An actor
# re-arms only its own timer, and only after it fired.


class _Start(simpy.Event):
    """Start an actor when the run starts, where ``env.process`` would start a process.

    Like SimPy's own ``Initialize``: triggered when created and scheduled urgently at the current time, so the
    actors start in the order they were built (clerks, roster, arrivals, as before) and before anything else
    happens at that minute.
    """

    def __init__(self, env: simpy.Environment, callback: Callable[[simpy.Event], None]) -> None:
        super().__init__(env)
        self.callbacks.append(callback)
        self._ok = True
        self._value = None
        env.schedule(self, simpy.events.URGENT)


class _Clerk:
    """Work window ``number``: call with the shared policy, serve, repeat; sleep when there is nothing to call.

    After a close the clerk keeps calling until nothing it may serve is waiting, then leaves the window. Each
    method below is one step, run when the event the clerk waits on fires (:meth:`work` at the start and when
    woken, :meth:`served` at the end of a call).
    """

    __slots__ = (
        "called_at",
        "decision",
        "desk",
        "env",
        "hall",
        "number",
        "on_rechecked",
        "on_residual_served",
        "on_served",
        "on_woken",
        "residual",
        "staff",
        "timer",
        "visitor",
    )

    def __init__(self, env: simpy.Environment, hall: HallModel, number: int) -> None:
        self.env = env
        self.hall = hall
        self.number = number
        self.desk: _Desk | None = None
        # The call under way: who was called, why, by whom and when (set before each service timeout).
        self.visitor: _Visitor | None = None
        self.decision: CallDecision | None = None
        self.staff: StaffSpec | None = None
        self.called_at = 0.0
        self.residual = 0.0
        self.timer: simpy.Timeout | None = None  # the end of a call, re-armed for each call
        # Bound once: a callback is appended to an event at every step.
        self.on_served = self.served
        self.on_woken = self.woken
        self.on_rechecked = self.rechecked
        self.on_residual_served = self.residual_served

    def woken(self, _event: simpy.Event) -> None:
        """Resume after sleeping (``HallModel.wake``) or at the start of the run."""
        self.work()

    def rechecked(self, _event: simpy.Event) -> None:
        """Resume after the policy declined every eligible ticket: woken, or ``RECHECK_MINUTES`` later."""
        self.hall.idle.pop(self.number, None)
        self.work()

    def served(self, _event: simpy.Event) -> None:
        """End the call under way: record it, book the window's busy time, free window and clerk; go on working."""
        visitor, decision, staff = self.visitor, self.decision, self.staff
        assert visitor is not None
        assert decision is not None
        assert staff is not None
        hall = self.hall
        number = self.number
        called = self.called_at
        ended = self.env.now
        ticket = visitor.ticket
        is_served = not visitor.is_no_show
        hall.records.append(
            _new_tuple(  # ServiceRecord(...) positionally, without its constructor's frame: one per visitor
                ServiceRecord,
                (
                    ticket.ticket_id,
                    ticket.number,
                    ticket.sequence,
                    visitor.key,  # item_codes
                    ticket.priority_group,
                    ticket.appointment is not None,  # has_appointment
                    _SERVED if is_served else _NO_SHOW,  # outcome
                    visitor.arrived,  # arrived_minutes
                    called,  # called_minutes
                    called if is_served else None,  # started_minutes
                    ended,  # ended_minutes
                    called - visitor.arrived,  # waited_minutes
                    number,  # window_number
                    staff.staff_id,
                    staff.skill_level,
                    decision.reason,  # call_reason
                    decision.is_priority_call,
                ),
            )
        )
        # The part of [called, ended] after the warm-up (``HallModel.book_busy``).
        counted_from = max(called, hall._warmup)
        if ended > counted_from:
            hall.busy_minutes[number] += ended - counted_from
        # ``hall.finish_service(number, staff)``, inlined while no hand-over waits for this call to end.
        if hall.rostered[number] is staff and hall._rostered_at.get(staff.staff_id) == number:
            del hall.serving[staff.staff_id]
            hall.busy_windows.discard(number)
        else:
            hall.finish_service(number, staff)
        self.work(ended)

    def residual_served(self, _event: simpy.Event) -> None:
        """End the service that was under way when the run started (live predictions), then go on working."""
        staff = self.staff
        assert staff is not None
        now = self.env.now
        self.hall.book_busy(self.number, now - self.residual, now)
        self.hall.finish_service(self.number, staff)
        self.work()

    def work(self, now: float | None = None) -> None:
        """Call the next visitor and start serving; or, with nobody to call, wait to be woken.

        Args:
            now: ``env.now``, when the caller has already read it.
        """
        env = self.env
        if now is None:
            now = env.now
        hall = self.hall
        number = self.number
        seat = hall.seat
        while True:
            staff = seat[number]
            if staff is None:
                hall.sleep(number).callbacks.append(self.on_woken)
                return
            if hall.pending_service:
                residual = hall.pending_service.pop(number, None)
                if residual is not None:  # the visitor at this window when the run starts (live predictions)
                    hall.serving[staff.staff_id] = number
                    hall.busy_windows.add(number)
                    self.staff = staff
                    self.residual = residual
                    env.timeout(residual).callbacks.append(self.on_residual_served)
                    return
            desk = self.desk
            if desk is None or desk.staff is not staff:
                desk = self.desk = hall._desk(number, staff)
            # Ask the shared policy which of the tickets this window may call it calls now. With nobody waiting there
            # is nothing to ask it.
            tickets: list[WaitingTicket] | None = None
            if hall.visitors:  # ``hall._eligible_waiting(number, desk)``, inlined
                known = desk.eligible
                for key, bucket in hall.waiting.items():
                    if bucket:
                        allowed = known.get(key)
                        if allowed is None:
                            allowed = hall._may_serve(number, desk, key, next(iter(bucket.values())))
                        if allowed:
                            if tickets:
                                tickets.extend(bucket.values())
                            else:
                                tickets = list(bucket.values())
            decision = None
            if tickets:
                streak = hall.streak[number]
                snapshot = desk.snapshots.get(streak)
                if snapshot is None:
                    snapshot = hall._snapshot(number, desk)
                # ``hall.clock.at(now)``; the last arrival's is remembered (a clerk it woke calls at that minute).
                at = hall._last_at if now == hall._last_minute else hall._start + timedelta(0, 0, 0, 0, now)
                decision = hall.policy(snapshot, tickets, at, hall.rules)
            if decision is None:
                if not hall.is_open:
                    hall.leave(number)
                    continue
                if tickets:  # the policy declined every eligible ticket (no current policy does)
                    (hall.sleep(number) | env.timeout(RECHECK_MINUTES)).callbacks.append(self.on_rechecked)
                    return
                hall.idle[number] = None  # asleep until woken (its wake-up event is made only if needed)
                return
            ticket_id = decision.ticket_id
            visitor = hall.visitors.get(ticket_id)
            if visitor is None or not desk.eligible.get(visitor.key):
                msg = f"policy {hall.scenario.calling_policy!r} chose {ticket_id!r}, not an eligible ticket"
                raise RuntimeError(msg)
            # Taken from the line (``HallModel._take``, inlined).
            del hall.visitors[ticket_id]
            del hall.waiting[visitor.key][ticket_id]
            hall.streak[number] = next_priority_streak(streak, decision)
            hall.serving[staff.staff_id] = number
            hall.busy_windows.add(number)
            self.visitor = visitor
            self.decision = decision
            self.staff = staff
            self.called_at = now
            if visitor.is_no_show:
                minutes = hall.scenario.no_show_call_minutes
            elif visitor.service_minutes is None and len(visitor.key) == 1:  # ``hall.service_minutes``, inlined
                sampler = desk.samplers.get(visitor.key)
                if sampler is None:
                    sampler = desk.samplers[visitor.key] = hall._samplers[visitor.key[0], staff.skill_level]
                minutes = sampler(hall._service_rng)
            else:
                minutes = hall.service_minutes(visitor, staff)
            timer = self.timer
            if timer is None:
                timer = self.timer = env.timeout(minutes)
                timer.callbacks.append(self.on_served)
            else:  # re-armed: ``env.timeout(minutes)`` without building a new event (see the actors' note)
                timer.callbacks = [self.on_served]
                env.schedule(timer, _NORMAL, minutes)
            return


def _merged_sessions(sessions: tuple[tuple[float, float], ...]) -> Iterator[tuple[float, float]]:
    """Yield the sessions with back-to-back ones joined (no close and reopen at the same minute)."""
    current: tuple[float, float] | None = None
    for opens, closes in sessions:
        if current is not None and opens <= current[1]:
            current = (current[0], max(current[1], closes))
            continue
        if current is not None:
            yield current
        current = (opens, closes)
    if current is not None:
        yield current


def roster(env: simpy.Environment, hall: HallModel) -> ProcessGenerator:
    """Open and close the hall by its sessions and seat each slot's roster at the slot boundaries."""
    scenario = hall.scenario
    step = scenario.slot_minutes
    for opens, closes in _merged_sessions(scenario.sessions):
        if opens > env.now:
            yield env.timeout(opens - env.now)
        hall.open_session(scenario.slot_of(opens))
        boundary = (math.floor(opens / step) + 1) * step
        while boundary < closes:
            yield env.timeout(boundary - env.now)
            hall.apply_roster(scenario.slot_of(boundary))
            boundary += step
        yield env.timeout(closes - env.now)
        hall.close_session()


def _arrival_segments(scenario: Scenario, codes: tuple[str, ...]) -> Iterator[_Segment]:
    """Yield the stretches of constant arrival rate, in time order: within one slot and one session, rate > 0.

    A stretch starts where the one before it ended (or where its session opens) and ends at the next slot
    boundary or at the close.
    """
    step = scenario.slot_minutes
    for opens, closes in _merged_sessions(scenario.sessions):
        t = opens
        while t < closes:
            slot = scenario.slot_of(t)
            end = min(closes, (math.floor(t / step) + 1) * step)
            if end <= t:  # guard against float rounding at a boundary
                end = min(closes, t + step)
            rates = [scenario.arrivals[c][slot] for c in codes]
            total = math.fsum(rates)
            if total > 0:
                yield _Segment(t, end, total / 60.0, list(itertools.accumulate(rates)), total)
            t = end


class _Segment(NamedTuple):
    start: float  # minutes
    end: float
    per_minute: float  # arrivals per minute, all items
    cuts: list[float]  # cumulative hourly rates by item, to draw an arrival's item
    total: float  # arrivals per hour, all items


class _Arrivals:
    """Issue tickets as a Poisson process whose rate is constant within each slot and zero while closed.

    The exponential clock restarts at every slot boundary, which is exact for a Poisson process (memoryless).
    Each arrival is a timeout whose callback (:meth:`arrived`) issues the ticket and schedules the next one. A
    clerk the new ticket wakes is woken by an event, unless nothing else happens at this minute: then it is
    simply run after the next arrival is scheduled, as its wake-up event would have run it (next in line).
    """

    __slots__ = (
        "cuts",
        "end",
        "env",
        "hall",
        "keys",
        "on_arrival",
        "only",
        "per_minute",
        "rng",
        "segments",
        "t",
        "timer",
        "total",
    )

    def __init__(self, env: simpy.Environment, hall: HallModel) -> None:
        self.env = env
        self.hall = hall
        self.rng = hall.streams.arrivals
        codes = tuple(sorted(hall.scenario.arrivals))
        self.keys: tuple[ItemKey, ...] = tuple((code,) for code in codes)  # a visitor's items: one code
        self.only = self.keys[0] if len(self.keys) == 1 else None
        self.segments = _arrival_segments(hall.scenario, codes)
        self.t = self.end = -math.inf  # no stretch yet: the first step moves to the first one
        self.per_minute = 1.0
        self.cuts: list[float] = []
        self.total = 0.0
        self.timer: simpy.Timeout | None = None  # the next arrival, re-armed for each
        self.on_arrival = self.arrived

    def start(self, _event: simpy.Event) -> None:
        """Schedule the first arrival."""
        self.schedule_next(self.env.now)

    def schedule_next(self, now: float) -> None:
        """Draw when the next visitor arrives and schedule it (nothing after the last stretch).

        Args:
            now: ``env.now``.
        """
        t = self.t
        if t < self.end:
            t += exponential_draw(self.rng, self.per_minute)
        while t >= self.end:
            segment = next(self.segments, None)
            if segment is None:
                return
            t = segment.start + exponential_draw(self.rng, segment.per_minute)
            self.end = segment.end
            self.per_minute = segment.per_minute
            self.cuts = segment.cuts
            self.total = segment.total
        self.t = t
        env = self.env
        timer = self.timer
        if timer is None:
            timer = self.timer = env.timeout(t - now)
            timer.callbacks.append(self.on_arrival)
        else:  # re-armed: ``env.timeout(t - now)`` without building a new event (see the actors' note)
            timer.callbacks = [self.on_arrival]
            env.schedule(timer, _NORMAL, t - now)

    def arrived(self, _event: simpy.Event) -> None:
        """Issue the arriving visitor's ticket, schedule the next arrival, and wake a clerk who may call it."""
        hall = self.hall
        key = self.only
        if key is None:
            keys = self.keys
            key = keys[min(bisect.bisect_right(self.cuts, self.rng.random() * self.total), len(keys) - 1)]
        # Who the visitor is: in a priority group, with an appointment (booked for the current slot) or a normal
        # visitor by the scenario's shares; a no-show with the scenario's probability.
        group: PriorityGroup | None = None
        has_appointment = False
        if hall._draws_who:
            u = hall.streams.visitors.random()
            if u < hall._priority_total:
                group = hall._groups[bisect.bisect_right(hall._group_cuts, u)]
            elif u < hall._priority_total + hall.scenario.appointment_share:
                has_appointment = True
        no_show = hall._appointment_no_show if has_appointment else hall._no_show
        is_no_show = no_show > 0 and hall.streams.visitors.random() < no_show
        env = self.env
        now = env.now
        visitor = hall._issue(key, group, has_appointment, is_no_show, None, None, now)
        woken: _Clerk | None = None
        if hall.idle:
            number = hall._idle_window_for(visitor.key, visitor.ticket)
            if number is not None:
                event = hall.idle.pop(number)
                if env.peek() > now:
                    woken = hall.clerks[number]
                else:
                    hall._wake(number, event)
        self.schedule_next(now)
        if woken is not None:
            woken.work(now)


def scripted_arrivals(env: simpy.Environment, hall: HallModel, script: Sequence[ScriptedArrival]) -> ProcessGenerator:
    """Issue the tickets of a script at their minutes (in order of minute, then of the script)."""
    for arrival in sorted(script, key=lambda a: a.minute):
        if arrival.minute > env.now:
            yield env.timeout(arrival.minute - env.now)
        hall.issue_scripted(arrival)


def build(
    env: simpy.Environment,
    scenario: Scenario,
    streams: RandomStreams,
    *,
    script: Sequence[ScriptedArrival] | None = None,
    policy: CallingPolicy | None = None,
) -> HallModel:
    """Create the hall's state and start its processes (clerks first, then the roster, then arrivals).

    Args:
        env: A fresh SimPy environment.
        scenario: A validated scenario.
        streams: The seeded random streams.
        script: Scripted visitors replacing the scenario's random arrivals.
        policy: A calling policy replacing the shared one the scenario names (for tests of the engine only).
    """
    hall = HallModel(env, scenario, streams, policy)
    for number in hall.windows:
        clerk = hall.clerks[number] = _Clerk(env, hall, number)
        _Start(env, clerk.on_woken)
    env.process(roster(env, hall))
    if script is None:
        _Start(env, _Arrivals(env, hall).start)
    else:
        env.process(scripted_arrivals(env, hall, script))
    return hall
