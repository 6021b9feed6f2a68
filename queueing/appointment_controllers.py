"""HTTP API of appointments (预约, version 1): managers open slots; visitors browse, book, look up and cancel.

A booked visitor checks in at the kiosk with ``IssueTicket.appointmentCode`` (operation ``IssueTicket``).
Handlers are thin: each calls the appointment service, which checks who may act on which centre.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from hall.domain.people import Role
from hall.security import allow, anonymous_or, public
from queueing import appointment_schemas as s
from queueing.appointment_service import AppointmentService

MANAGERS = allow(Role.ADMIN, Role.MANAGER)
# Visitors act anonymously (their phone or a web page); staff and kiosks may book for them; a board may not.
VISITORS = anonymous_or(Role.ADMIN, Role.MANAGER, Role.STAFF, Role.KIOSK)
ItemCodeQuery = Annotated[
    str | None,
    QueryParameter(name="itemCode", pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$", description="only this item"),
]


class AppointmentSlotController(Controller):
    path = "/api/v1/centres/{centre_code:str}/appointments"
    tags = ["appointments"]

    @get("/slots", guards=[public], operation_id="ListAppointmentSlots")
    async def list_slots(
        self,
        centre_code: FromPath[str],
        day: FromQuery[date],
        appointments: NamedDependency[AppointmentService],
        item_code: ItemCodeQuery = None,
    ) -> list[s.AppointmentSlotRead]:
        """A day's appointment slots at the centre, with the places left and whether each can be booked now."""
        return await appointments.list_slots(centre_code, day, item_code)

    @post("/slots", guards=[MANAGERS], operation_id="OpenAppointmentSlots", status_code=HTTP_200_OK)
    async def open_slots(
        self,
        centre_code: FromPath[str],
        data: JSONBody[s.OpenAppointmentSlots],
        appointments: NamedDependency[AppointmentService],
    ) -> list[s.AppointmentSlotRead]:
        """Open an item's slots for a day, cut from the centre's opening sessions (none on a holiday).

        Idempotent: existing slots are kept and get the requested capacity, which may not fall below the bookings
        a slot holds (409 naming ``capacity``). Returns all of the item's slots that day.
        """
        return await appointments.open_slots(centre_code, data)

    @post("", guards=[VISITORS], operation_id="BookAppointment", status_code=HTTP_201_CREATED)
    async def book(
        self,
        centre_code: FromPath[str],
        data: JSONBody[s.BookAppointment],
        appointments: NamedDependency[AppointmentService],
    ) -> s.AppointmentRead:
        """Book a slot under one's real name; returns the appointment code to show at the kiosk.

        Refusals name the field: 422 for an invalid identity number, name or phone, or a slot that has started or
        lies beyond the booking horizon; 404 when no such slot exists; 409 when the slot is full (``startsAt``),
        the person already has an appointment that day or is suspended after no-shows (``identityNumber``).
        """
        return await appointments.book(centre_code, data)


class AppointmentController(Controller):
    path = "/api/v1/appointments/{code:str}"
    tags = ["appointments"]

    @get("", guards=[public], operation_id="GetAppointment")
    async def get_appointment(
        self, code: FromPath[str], appointments: NamedDependency[AppointmentService]
    ) -> s.AppointmentRead:
        """A booking by its code, with the visitor's name and phone masked."""
        return await appointments.get(code)

    @post("/cancel", guards=[VISITORS], operation_id="CancelAppointment", status_code=HTTP_200_OK)
    async def cancel(
        self,
        code: FromPath[str],
        data: JSONBody[s.CancelAppointment],
        appointments: NamedDependency[AppointmentService],
    ) -> s.AppointmentRead:
        """Cancel one's booking until the centre's deadline, proving it with the identity number booked with."""
        return await appointments.cancel(code, data)


ROUTES = [AppointmentSlotController, AppointmentController]
