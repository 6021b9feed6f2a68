"""Calling with the centre's policy and every action on the window's current ticket, with service records."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import select, update

from hall.db.session import after_commit
from hall.domain.errors import ConflictError, DomainRuleViolation
from hall.domain.windows import WindowStatus
from queueing import schemas as s
from queueing.domain.estimates import people_ahead
from queueing.domain.routing import can_serve, get_policy, next_priority_streak
from queueing.domain.snapshot import (
    CallDecision,
    RoutingRules,
    WaitingTicket,
)
from queueing.domain.tickets import (
    CaseOutcome,
    ItemOutcome,
    TicketAction,
    TicketStatus,
    after_recall,
)
from queueing.models import (
    ServiceRecordModel,
    TicketItemModel,
    TicketModel,
    WindowSessionModel,
)
from queueing.notify import Notification, NotificationKind
from queueing.ports import CentreInfo, ItemInfo, WindowInfo
from queueing.services._base import QueueBase
from queueing.services._common import (
    _outcome_details,
)


class CallingMixin(QueueBase):
    """Calling with the centre's policy and every action on the window's current ticket, with service records."""

    # --- calling ----------------------------------------------------------------------------------------------------
    async def call_next(self, centre_code: str, number: int) -> s.CallResult | None:
        """Call the ticket the centre's policy chooses for this window; ``None`` when nothing is eligible."""
        centre, window, row = await self._operated_window(centre_code, number)
        if row.state == s.WindowState.PAUSED.value:
            raise ConflictError("window", f"window {number} is paused ({row.pause_reason}); resume first")
        await self._require_no_current(row)
        staff = await self.directory.staff(row.staff_id)
        snapshot = self._window_snapshot(window, row, staff)
        offered = await self.directory.offered_items(centre.id)
        listeners: dict[UUID, tuple[str, str, str]] = {}
        # One read: the waiting tickets, whether their reserved window is still open, and who waits to be told.
        candidates = await self._queue(centre, offered, None, listeners)
        policy = get_policy(centre.rules.calling_policy)
        rules = RoutingRules.from_centre(centre.rules, centre.promise)
        now = self.clock.now()
        while True:
            decision = policy(snapshot, candidates, now, rules)
            if decision is None:
                return None
            ticket = await self._claim(UUID(decision.ticket_id))
            if ticket is not None:
                break
            candidates = [c for c in candidates if c.ticket_id != decision.ticket_id]  # another window won it
        result = await self._called(centre, window, row, ticket, decision, offered, now)
        remaining = [c for c in candidates if c.ticket_id != decision.ticket_id]
        listeners.pop(ticket.id, None)
        await self._notify_almost_your_turn(centre, remaining, listeners, now)
        return result

    async def _notify_almost_your_turn(
        self,
        centre: CentreInfo,
        waiting: Sequence[WaitingTicket],
        listeners: Mapping[UUID, tuple[str, str, str]],
        now: datetime,
    ) -> None:
        """Tell visitors who left a number that few people are ahead of them now (once per ticket).

        ``listeners`` are the waiting tickets not told yet whose visitor left a number, read with the queue.
        """
        threshold = centre.rules.notify_people_ahead
        if self.notify is None or threshold <= 0 or not waiting or not listeners:
            return
        windows = await self._open_snapshots(centre, await self._open_sessions(centre.id))
        rules = RoutingRules.from_centre(centre.rules, centre.promise)
        by_id = {w.ticket_id: w for w in waiting}
        due = []
        for ticket_id, (number, public_code, notify_to) in listeners.items():
            mine = by_id.get(str(ticket_id))
            if mine is None:
                continue
            ahead = people_ahead(mine, waiting, windows, now, rules)
            if ahead <= threshold:
                due.append((ticket_id, number, public_code, notify_to, ahead))
        if not due:
            return
        await self.session.execute(
            update(TicketModel).where(TicketModel.id.in_([d[0] for d in due])).values(almost_turn_notified_at=now)
        )
        notify = self.notify
        notifications = [
            Notification(
                kind=NotificationKind.ALMOST_YOUR_TURN,
                centre_code=centre.code,
                ticket_number=number,
                public_code=public_code,
                notify_to=notify_to,
                at=now,
                people_ahead=ahead,
            )
            for _, number, public_code, notify_to, ahead in due
        ]

        def send() -> None:
            for notification in notifications:
                notify(notification)

        after_commit(self.session, send)

    async def _claim(self, ticket_id: UUID) -> TicketModel | None:
        """Lock the ticket if it is still waiting and no other window holds it; else ``None``."""
        statement = select(TicketModel).where(
            TicketModel.id == ticket_id, TicketModel.status == TicketStatus.WAITING.value
        )
        claimed: TicketModel | None = (
            (await self.session.execute(self._with_items(statement, skip_locked=True))).unique().scalar_one_or_none()
        )
        return claimed

    async def _called(
        self,
        centre: CentreInfo,
        window: WindowInfo,
        row: WindowSessionModel,
        ticket: TicketModel,
        decision: CallDecision,
        offered: Mapping[str, ItemInfo],
        now: datetime,
    ) -> s.CallResult:
        before = self._move(ticket, TicketAction.CALL)
        ticket.called_at = now
        ticket.window_id = window.id
        ticket.staff_id = row.staff_id
        ticket.reserved_window_id = None
        ticket.recalls = 0
        row.priority_calls_in_row = next_priority_streak(row.priority_calls_in_row, decision)
        row.current_ticket_id = ticket.id
        self._set_state(row, s.WindowState.SERVING, now)
        await self._event(
            ticket,
            centre,
            TicketAction.CALL,
            before,
            window=window,
            details={"reason": decision.reason.value, "detail": decision.detail},
            now=now,
        )
        self._notify_visitor(ticket, centre, NotificationKind.CALLED, window, now)
        read = await self._read(ticket, centre, offered, with_estimate=False)
        return s.CallResult(ticket=read, reason=decision.reason, detail=decision.detail)

    async def _current(self, row: WindowSessionModel, number: int, *allowed: TicketStatus) -> TicketModel:
        if row.current_ticket_id is None:
            raise ConflictError("window", f"window {number} has no current ticket")
        ticket = await self._lock(row.current_ticket_id)
        if TicketStatus(ticket.status) not in allowed:
            raise ConflictError("window", f"ticket {ticket.number} is {ticket.status}")
        return ticket

    async def recall(self, centre_code: str, number: int) -> s.TicketRead:
        """Announce the called ticket again; after the centre's recall limit the ticket becomes a no-show."""
        centre, window, row = await self._operated_window(centre_code, number)
        ticket = await self._current(row, number, TicketStatus.CALLED)
        now = self.clock.now()
        if after_recall(ticket.recalls, centre.rules.max_recalls) is TicketAction.MARK_NO_SHOW:
            return await self._no_show(centre, window, row, ticket, now, reason="recall limit reached")
        before = self._move(ticket, TicketAction.RECALL)
        ticket.recalls += 1
        await self._event(
            ticket, centre, TicketAction.RECALL, before, window=window, details={"recalls": ticket.recalls}, now=now
        )
        self._notify_visitor(ticket, centre, NotificationKind.RECALLED, window, now)
        return await self._read(ticket, centre, with_estimate=False)

    async def mark_no_show(self, centre_code: str, number: int) -> s.TicketRead:
        centre, window, row = await self._operated_window(centre_code, number)
        ticket = await self._current(row, number, TicketStatus.CALLED)
        return await self._no_show(centre, window, row, ticket, self.clock.now(), reason="not present")

    async def _no_show(
        self,
        centre: CentreInfo,
        window: WindowInfo,
        row: WindowSessionModel,
        ticket: TicketModel,
        now: datetime,
        *,
        reason: str,
    ) -> s.TicketRead:
        before = self._move(ticket, TicketAction.MARK_NO_SHOW)
        ticket.no_show_at = now
        await self._release(row, now)
        await self._event(
            ticket,
            centre,
            TicketAction.MARK_NO_SHOW,
            before,
            window=window,
            details={"reason": reason, "recalls": ticket.recalls},
            now=now,
        )
        return await self._read(ticket, centre, with_estimate=False)

    async def start(self, centre_code: str, number: int, priority_verified: bool | None) -> s.TicketRead:
        """The visitor has arrived at the window: service starts (and a claimed priority is verified)."""
        centre, window, row = await self._operated_window(centre_code, number)
        ticket = await self._current(row, number, TicketStatus.CALLED)
        now = self.clock.now()
        before = self._move(ticket, TicketAction.START)
        ticket.started_at = now
        details: dict[str, Any] = {}
        if ticket.priority_group is not None and priority_verified is not None:
            ticket.priority_verified = priority_verified
            details["priorityVerified"] = priority_verified
        await self._event(ticket, centre, TicketAction.START, before, window=window, details=details, now=now)
        return await self._read(ticket, centre, with_estimate=False)

    async def park(self, centre_code: str, number: int) -> s.TicketRead:
        """The visitor steps away (e.g. to copy a document); the ticket returns to this window when resumed."""
        centre, window, row = await self._operated_window(centre_code, number)
        ticket = await self._current(row, number, TicketStatus.SERVING)
        now = self.clock.now()
        before = self._move(ticket, TicketAction.PARK)
        ticket.reserved_window_id = window.id
        await self._release(row, now)
        await self._event(ticket, centre, TicketAction.PARK, before, window=window, now=now)
        return await self._read(ticket, centre, with_estimate=False)

    async def transfer(self, centre_code: str, number: int, data: s.TransferTicket) -> s.TicketRead:
        """Send the current ticket on (another window and/or other items), keeping its arrival time."""
        centre, window, row = await self._operated_window(centre_code, number)
        ticket = await self._current(row, number, TicketStatus.CALLED, TicketStatus.SERVING)
        now = self.clock.now()
        offered = await self.directory.offered_items(centre.id)
        handled: list[ItemOutcome] = []
        if data.outcomes:
            if ticket.status != TicketStatus.SERVING.value:
                raise DomainRuleViolation("outcomes", "outcomes are recorded only for a ticket in service")
            handled = await self._record_outcomes(
                centre, window, row, ticket, data.outcomes, offered, now, partial=True
            )
        if data.item_codes is not None:
            new_items = self._chosen_items(centre, offered, data.item_codes, "itemCodes")
            for item in ticket.items:
                item.is_active = False
            start = max((i.position for i in ticket.items), default=-1) + 1
            ticket.items.extend(
                TicketItemModel(item_id=item.id, item_code=item.code, position=start + k, is_active=True)
                for k, item in enumerate(new_items)
            )
        if not any(i.is_active for i in ticket.items):
            raise DomainRuleViolation("itemCodes", "nothing is left to send on; complete the ticket instead")
        target: WindowInfo | None = None
        if data.to_window is not None:
            if data.to_window == number:
                raise DomainRuleViolation("toWindow", "that is this window")
            target = await self.directory.window(centre.id, data.to_window)
            await self._check_target(centre, target, ticket, offered)
        before = self._move(ticket, TicketAction.TRANSFER)
        ticket.window_id = None
        ticket.staff_id = None
        ticket.reserved_window_id = target.id if target else None
        await self._release(row, now)
        await self.session.flush()
        details: dict[str, Any] = {
            "fromWindow": number,
            "toWindow": target.number if target else None,
            "items": [i.item_code for i in ticket.items if i.is_active],
        }
        if handled:
            details["outcomes"] = {o.item_code: o.outcome.value for o in handled}
        if data.note:
            details["note"] = data.note
        await self._event(ticket, centre, TicketAction.TRANSFER, before, window=window, details=details, now=now)
        return await self._read(ticket, centre, offered)

    async def _check_target(
        self, centre: CentreInfo, target: WindowInfo, ticket: TicketModel, offered: Mapping[str, ItemInfo]
    ) -> None:
        if target.status is not WindowStatus.IN_SERVICE:
            raise ConflictError("toWindow", f"window {target.number} is out of service")
        target_row = await self._session_of(target, lock=False)
        if target_row is None:
            return  # nobody there now; the reservation lapses and any eligible window may call it
        staff = await self.directory.staff(target_row.staff_id)
        probe = self._to_waiting(ticket, offered)
        if probe is not None and not can_serve(self._window_snapshot(target, target_row, staff), probe):
            raise DomainRuleViolation("toWindow", f"window {target.number} cannot serve these items")

    async def complete(self, centre_code: str, number: int, data: s.CompleteTicket) -> s.TicketRead:
        """Finish the visit with one outcome per item; each served item becomes a service record."""
        centre, window, row = await self._operated_window(centre_code, number)
        ticket = await self._current(row, number, TicketStatus.SERVING)
        now = self.clock.now()
        offered = await self.directory.offered_items(centre.id)
        outcomes = await self._record_outcomes(centre, window, row, ticket, data.outcomes, offered, now, partial=False)
        before = self._move(ticket, TicketAction.COMPLETE)
        ticket.ended_at = now
        await self._release(row, now)
        details: dict[str, Any] = {"outcomes": {o.item_code: o.outcome.value for o in outcomes}}
        if data.note:
            details["note"] = data.note
        await self._event(ticket, centre, TicketAction.COMPLETE, before, window=window, details=details, now=now)
        return await self._read(ticket, centre, offered, with_estimate=False)

    async def _record_outcomes(
        self,
        centre: CentreInfo,
        window: WindowInfo,
        row: WindowSessionModel,
        ticket: TicketModel,
        wires: Sequence[s.ItemOutcomeWire],
        offered: Mapping[str, ItemInfo],
        now: datetime,
        *,
        partial: bool,
    ) -> list[ItemOutcome]:
        active = {i.item_code: i for i in ticket.items if i.is_active}
        seen: set[str] = set()
        outcomes: list[ItemOutcome] = []
        today = centre.local(now).date()
        for index, wire in enumerate(wires):
            field = f"outcomes[{index}]"
            if wire.item_code not in active:
                raise DomainRuleViolation(f"{field}.itemCode", f"{wire.item_code} is not an open item of this ticket")
            if wire.item_code in seen:
                raise DomainRuleViolation(f"{field}.itemCode", f"{wire.item_code} has two outcomes")
            seen.add(wire.item_code)
            outcomes.append(self._outcome(centre, offered.get(wire.item_code), wire, today, field))
        missing = sorted(set(active) - seen)
        if missing and not partial:
            raise DomainRuleViolation("outcomes", f"every item needs an outcome; missing: {', '.join(missing)}")
        if not ticket.started_at or not ticket.called_at:  # pragma: no cover - serving implies both
            raise ConflictError("window", "the ticket was never started")
        self._write_records(centre, window, row, ticket, outcomes, offered, now, len(active))
        for outcome in outcomes:
            active[outcome.item_code].is_active = False
        if partial:
            ticket.started_at = now  # what remains is timed from here if it comes back to a window
        return outcomes

    @staticmethod
    def _outcome(
        centre: CentreInfo, item: ItemInfo | None, wire: s.ItemOutcomeWire, today: date, field: str
    ) -> ItemOutcome:
        due_on: date | None = None
        if wire.outcome in {CaseOutcome.COMMITTED, CaseOutcome.CONDITIONAL}:
            if item is None or item.committed_limit_days is None:
                if wire.outcome is CaseOutcome.COMMITTED:
                    raise DomainRuleViolation(f"{field}.outcome", f"{wire.item_code} has no committed time limit")
            else:
                due_on = centre.calendar.add_working_days(today, item.committed_limit_days)
        if wire.outcome is CaseOutcome.CONDITIONAL and (item is None or not item.allows_conditional_acceptance):
            raise DomainRuleViolation(f"{field}.outcome", f"{wire.item_code} does not allow 容缺受理")
        if wire.supplement_due_on is not None and wire.supplement_due_on < today:
            raise DomainRuleViolation(f"{field}.supplementDueOn", "must not be in the past")
        try:
            return ItemOutcome(
                item_code=wire.item_code,
                outcome=wire.outcome,
                due_on=due_on,
                pending_documents=tuple(wire.pending_documents),
                supplement_due_on=wire.supplement_due_on,
                missing_materials=tuple(wire.missing_materials),
                reason=wire.reason,
            )
        except DomainRuleViolation as exc:
            raise DomainRuleViolation(f"{field}.{exc.field}", exc.reason) from None

    def _write_records(
        self,
        centre: CentreInfo,
        window: WindowInfo,
        row: WindowSessionModel,
        ticket: TicketModel,
        outcomes: Sequence[ItemOutcome],
        offered: Mapping[str, ItemInfo],
        now: datetime,
        items_in_visit: int,
    ) -> None:
        """One service record per served item; the service time is split by the items' standard minutes."""
        assert ticket.started_at is not None
        assert ticket.called_at is not None
        item_rows = {i.item_code: i for i in ticket.items if i.is_active}
        weights = [
            offered[o.item_code].requirement.standard_minutes if o.item_code in offered else 1.0 for o in outcomes
        ]
        total_weight = sum(weights) or 1.0
        span = now - ticket.started_at
        start = ticket.started_at
        for outcome, weight in zip(outcomes, weights, strict=True):
            end = start + span * (weight / total_weight)
            item = offered.get(outcome.item_code)
            self.session.add(
                ServiceRecordModel(
                    centre_id=centre.id,
                    ticket_id=ticket.id,
                    ticket_item_id=item_rows[outcome.item_code].id,
                    item_code=outcome.item_code,
                    domain=item.domain.value if item else "",
                    window_id=window.id,
                    staff_id=row.staff_id,
                    skill_level=row.skill_level,
                    arrived_at=ticket.arrived_at,
                    called_at=ticket.called_at,
                    started_at=start,
                    ended_at=end,
                    items_in_visit=items_in_visit,
                    outcome=outcome.outcome.value,
                    outcome_details=_outcome_details(outcome),
                    due_on=outcome.due_on,
                    supplement_due_on=outcome.supplement_due_on,
                    is_synthetic=False,
                )
            )
            start = end
