"""Request and response bodies of the queueing API (version 1): tickets, window sessions, window actions."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

import msgspec

from hall.domain.people import PriorityGroup
from hall.lib.schema import WireStruct
from queueing.domain.snapshot import CallReason
from queueing.domain.tickets import CaseOutcome, TicketStatus

ItemCode = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")]
Text = Annotated[str, msgspec.Meta(min_length=1, max_length=500)]


class Channel(StrEnum):
    """How the ticket was taken."""

    KIOSK = "kiosk"  # 取号机
    GUIDE_DESK = "guide_desk"  # 导服台 (staff issue it for the visitor)
    PHONE = "phone"  # the visitor's phone, after scanning the QR code at the entrance
    APPOINTMENT = "appointment"  # check-in of a booked appointment


class WindowState(StrEnum):
    """What the staff member at a window is doing; every change is timed."""

    IDLE = "idle"
    SERVING = "serving"  # a ticket is called or in service
    PAUSED = "paused"  # with a reason: break, meeting, system fault …
    SIGNED_OUT = "signed_out"


class PredictionMethod(StrEnum):
    """How the predicted call time was found."""

    TWIN = "twin"  # short runs of the hall's SimPy twin from its current state: P50 (and P90)
    NAIVE = "naive"  # people ahead × mean service time ÷ open windows that may serve the ticket


class IssueTicket(WireStruct):
    """Take a ticket for one or more catalogue items (several items per visit)."""

    item_codes: Annotated[list[ItemCode], msgspec.Meta(min_length=1, max_length=5)]
    channel: Channel = Channel.KIOSK
    priority_group: PriorityGroup | None = None
    appointment_code: Annotated[str, msgspec.Meta(pattern=r"^[A-Z0-9]{6,12}$")] | None = None
    entrance_code: Annotated[str, msgspec.Meta(pattern=r"^[0-9]{6}$")] | None = None
    notify_to: Annotated[str, msgspec.Meta(max_length=100)] | None = None


class TicketItemRead(WireStruct):
    code: str
    name_zh: str
    name_en: str
    domain: str


class TicketRead(WireStruct):
    """A ticket as the visitor and the kiosk see it."""

    number: str
    public_code: str
    status: TicketStatus
    centre_code: str
    items: list[TicketItemRead]
    channel: Channel
    priority_group: PriorityGroup | None
    arrived_at: datetime
    people_ahead: int | None
    predicted_call_at: datetime | None
    window_number: int | None
    status_url: str
    predicted_call_p90_at: datetime | None = None
    prediction: PredictionMethod | None = None


class CallResult(WireStruct):
    """The ticket a window called and why the policy chose it."""

    ticket: TicketRead
    reason: CallReason
    detail: str


class OpenWindow(WireStruct):
    """Sign a staff member in at a window; staff sign themselves in, managers may name the staff member."""

    staff_employee_no: ItemCode | None = None


class PauseWindow(WireStruct):
    reason: Text


class WindowSessionRead(WireStruct):
    centre_code: str
    window_number: int
    staff_employee_no: str
    staff_name: str
    skill_level: int
    state: WindowState
    state_since: datetime
    pause_reason: str | None
    opened_at: datetime
    closed_at: datetime | None
    current_ticket: TicketRead | None


class TransferTicket(WireStruct):
    """Send a ticket on: to another window, and/or for other items. It keeps its arrival time.

    ``outcomes`` records items already handled here before the rest is sent on.
    """

    to_window: Annotated[int, msgspec.Meta(ge=1, le=999)] | None = None
    item_codes: Annotated[list[ItemCode], msgspec.Meta(min_length=1, max_length=5)] | None = None
    outcomes: list[ItemOutcomeWire] = msgspec.field(default_factory=list)
    note: Annotated[str, msgspec.Meta(max_length=500)] = ""


class ItemOutcomeWire(WireStruct):
    """The outcome of one item. The committed due date is computed from the centre's working-day calendar."""

    item_code: ItemCode
    outcome: CaseOutcome
    pending_documents: list[Text] = msgspec.field(default_factory=list)
    supplement_due_on: date | None = None
    missing_materials: list[Text] = msgspec.field(default_factory=list)
    reason: Annotated[str, msgspec.Meta(max_length=500)] = ""


class CompleteTicket(WireStruct):
    """Finish the visit with one outcome per item of the ticket."""

    outcomes: Annotated[list[ItemOutcomeWire], msgspec.Meta(min_length=1, max_length=5)]
    note: Annotated[str, msgspec.Meta(max_length=500)] = ""


class StartService(WireStruct):
    """The visitor is at the window. For a priority ticket, say whether the claimed group was verified."""

    priority_verified: bool | None = None


class CancelTicket(WireStruct):
    reason: Text


class ServiceRecordRead(WireStruct):
    item_code: str
    staff_employee_no: str
    skill_level: int
    window_number: int
    called_at: datetime
    started_at: datetime
    ended_at: datetime
    outcome: CaseOutcome
    due_on: date | None
    supplement_due_on: date | None


class TicketEventRead(WireStruct):
    id: int
    at: datetime
    action: str
    from_status: TicketStatus | None
    to_status: TicketStatus
    actor: str
    window_number: int | None
    details: dict[str, object]


class TicketDetail(TicketRead, kw_only=True):
    """A ticket with its full history and service records (for staff and managers)."""

    history: list[TicketEventRead]
    service_records: list[ServiceRecordRead]


class QueueEntry(WireStruct):
    number: str
    status: TicketStatus
    items: list[str]
    priority_group: PriorityGroup | None
    arrived_at: datetime
    waited_minutes: float
    reserved_for_window: int | None


class EntranceCode(WireStruct):
    """Today's entrance code, shown on the board: phones must send it to take a ticket (proof of presence)."""

    code: str
    valid_on: date


class BoardCall(WireStruct):
    number: str
    window_number: int
    at: datetime
    is_recall: bool


class BoardRead(WireStruct):
    """The display board's state; the board refreshes it from the live stream's events."""

    centre_code: str
    centre_name: str
    calls: list[BoardCall]
    waiting_total: int
    waiting_by_domain: dict[str, int]
    open_windows: int
    mean_wait_minutes: float | None
    is_open: bool
    last_event_id: int | None
