"""Scheduled staffing jobs (the lead wires them into the leader-elected scheduler); every job is idempotent.

* :func:`prepare_month_drafts` — at the start of each month, for every active centre: give unrated visits their
  default rating (if the centre's rule is on), compute the previous month's draft assessment and its pay drafts,
  and tell the centre's managers what is waiting for them (drafts, open and overdue 差评 cases). Approved months
  and approved or locked pay records are never touched, so a second run, or a run after a crash, is harmless.
* :func:`apply_default_ratings` — daily: the 默认评价 after each visit's rating period.

Both have the scheduler's job shape (``session_maker, clock, settings`` → ``None``); :func:`prepare_drafts` and
:func:`default_unrated_visits` do the same work and return what they did (for tests and the command line).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hall.domain.access import Principal
from hall.domain.errors import HallError
from hall.domain.people import Role
from hall.lib.clock import Clock
from hall.settings import Settings
from staffing.adapters import LogManagerNotifier, SqlStaffingSources
from staffing.domain.periods import Month
from staffing.ports import CentreFacts, ManagerMessage, ManagerNotifier
from staffing.services import AssessmentService, NegativeCaseService, PayService, RatingService

logger = logging.getLogger("hall.staffing.jobs")
SCHEDULER = Principal(role=Role.ADMIN, name="scheduler", centre_scope=None)


async def _centres(session_maker: async_sessionmaker[AsyncSession], codes: Sequence[str] | None) -> list[str]:
    async with session_maker() as session:
        centres = await SqlStaffingSources(session).active_centres()
    return [c.code for c in centres if codes is None or c.code in codes]


async def apply_default_ratings(
    session_maker: async_sessionmaker[AsyncSession], clock: Clock, settings: Settings
) -> None:
    """The daily job: give every visit left unrated after its rating period the default rating."""
    await default_unrated_visits(session_maker, clock, settings)


async def default_unrated_visits(
    session_maker: async_sessionmaker[AsyncSession], clock: Clock, settings: Settings
) -> int:
    """Give every visit left unrated after its rating period the default rating (centres whose rule is on).

    Returns how many default ratings were given.
    """
    del settings  # the job's signature is the scheduler's (session maker, clock, settings)
    created = 0
    for code in await _centres(session_maker, None):
        async with session_maker() as session:
            try:
                sources = SqlStaffingSources(session)
                centre = await sources.centre(code)
                created += await RatingService(session, SCHEDULER, sources, clock).apply_defaults(centre)
                await session.commit()
            except Exception:
                await session.rollback()
                logger.exception("default ratings of %s failed; the next run tries again", code)
    return created


async def _prepare_centre(
    session: AsyncSession, centre: CentreFacts, month: Month, clock: Clock
) -> tuple[dict[str, object], ManagerMessage | None]:
    sources = SqlStaffingSources(session)
    summary: dict[str, object] = {"centre": centre.code, "month": str(month)}
    summary["defaulted"] = await RatingService(session, SCHEDULER, sources, clock).apply_defaults(centre)
    assessments = AssessmentService(session, SCHEDULER, sources, clock)
    existing = await assessments.month_row(centre, month)
    if existing is not None and existing.status == "approved":
        summary["assessment"] = "approved already"
    else:
        try:
            row = await assessments.compute_month(centre, month)
        except HallError as exc:  # nobody signed in that month, or a rule the scheme cannot score
            summary["assessment"] = f"not computed: {exc.field}: {exc.reason}"
            return summary, None
        summary["assessment"] = f"draft, {row.staff_count} staff"
    try:
        prepared, skipped = await PayService(session, SCHEDULER, sources, clock).prepare_month(centre, month)
        summary["payDrafts"] = prepared
        summary["payFinal"] = len(skipped)
    except HallError as exc:  # no pay rule published yet
        summary["payDrafts"] = f"not prepared: {exc.field}: {exc.reason}"
    cases = await NegativeCaseService(session, SCHEDULER, sources, clock).of_centre(
        centre.code, status=None, overdue_only=False, month_text=None
    )
    summary["openCases"] = len(cases)
    summary["overdueCases"] = sum(1 for c in cases if c.overdue)
    recipients = tuple(await sources.manager_usernames(centre.id))
    return summary, ManagerMessage(
        centre_code=centre.code,
        recipients=recipients,
        subject=f"{centre.code} {month}: 考核与工资草稿已生成 (assessment and pay drafts prepared)",
        body=(
            f"考核：{summary['assessment']}；工资草稿：{summary['payDrafts']}；"
            f"未办结差评 {summary['openCases']} 件，其中超期 {summary['overdueCases']} 件。请审核并审批。"
        ),
        link=f"/api/v1/centres/{centre.code}/assessments/{month}",
    )


async def prepare_month_drafts(
    session_maker: async_sessionmaker[AsyncSession],
    clock: Clock,
    settings: Settings,
    notifier: ManagerNotifier | None = None,
    *,
    month: Month | None = None,
    centre_codes: Sequence[str] | None = None,
) -> None:
    """The monthly job: prepare last month's drafts for every active centre and notify its managers.

    See :func:`prepare_drafts`; this wrapper has the scheduler's job shape (returns nothing).
    """
    await prepare_drafts(session_maker, clock, settings, notifier, month=month, centre_codes=centre_codes)


async def prepare_drafts(
    session_maker: async_sessionmaker[AsyncSession],
    clock: Clock,
    settings: Settings,
    notifier: ManagerNotifier | None = None,
    *,
    month: Month | None = None,
    centre_codes: Sequence[str] | None = None,
) -> list[dict[str, object]]:
    """Prepare last month's drafts for every active centre and notify its managers (idempotent).

    Schedule it early each month, e.g. ``cron(day=1, hour=6)`` with ``run_at_start=True`` so a month missed while
    no process led is caught up; ``month`` defaults to the month before today in each centre's time zone.
    Each centre runs in its own transaction: one centre's failure is logged and does not stop the others.
    """
    del settings  # the job's signature is the scheduler's (session maker, clock, settings)
    notifier = notifier or LogManagerNotifier()
    results: list[dict[str, object]] = []
    for code in await _centres(session_maker, centre_codes):
        async with session_maker() as session:
            try:
                centre = await SqlStaffingSources(session).centre(code)
                target = month or Month.last_complete_before(centre.today(clock.now()))
                summary, message = await _prepare_centre(session, centre, target, clock)
                await session.commit()
            except Exception:
                await session.rollback()
                logger.exception("preparing the month's drafts of %s failed; the next run tries again", code)
                continue
        if message is not None:  # told only once the drafts are saved
            await notifier.notify(message)
        logger.info("staffing drafts %s", summary)
        results.append(summary)
    return results
