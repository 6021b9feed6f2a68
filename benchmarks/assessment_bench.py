"""Time the monthly assessment of 1,000 staff-months and the rendering of 500 pay slips (goals: ≤ 2 s, ≤ 30 s).

Run from the project root (about a minute; ``--with-db`` adds the service path on SQLite, about 40 s more):

    .venv/bin/python benchmarks/assessment_bench.py [--staff 1000] [--slips 500] [--with-db] [--no-write]

1. **Assessment** — 1,000 staff-months of one month, seeded (``random.Random(11)``) like the demo county centre:
   200–450 served items each (standard times 3–40 min, actual times lognormal), 80–250 rated visits, committed
   cases, a few quality and attendance events and bonuses. Timed: the centre baseline, the five component scores
   with their explanation lines, grading with the 优秀 quota, the integrity flags, and the stored form of every
   assessment (encode to JSON and back) — everything the service does between loading facts and writing rows.
2. **Pay slips** — 500 computed pay records (the pure pay arithmetic) rendered as one batch PDF with the shipped
   CJK font, the way ``DownloadCentrePaySlips`` renders a centre-month; then 20 single slips, to show the per-
   document cost.
3. ``--with-db``: the service path on a throwaway SQLite database — the demo county centre's October (32
   staff-months, ~8,000 visits): gather the facts, assess and store, prepare the pay drafts.

Results are appended to ``BENCHMARKS.md`` under "Staffing: assessment and pay slips" (the block between the
markers is rewritten; nothing else in the file is touched) unless ``--no-write``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from uuid import uuid4
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hall.domain import SkillLevel  # noqa: E402
from staffing import documents  # noqa: E402
from staffing import schemas as s  # noqa: E402
from staffing.codec import decode, encode  # noqa: E402
from staffing.demo import demo_pay_rule  # noqa: E402
from staffing.domain import (  # noqa: E402
    AttendanceEvent,
    AttendanceEventKind,
    BonusAward,
    Grade,
    IntegrityRules,
    Month,
    PayFacts,
    QualityEvent,
    QualityEventKind,
    RatingLevel,
    RatingTally,
    ServedItem,
    StaffAssessment,
    StaffMonthFacts,
    compute_pay,
    integrity_flags,
)
from staffing.services._assessment import regrade  # noqa: E402
from staffing.services._base import HALL_DEFAULT_SCHEME  # noqa: E402

OCTOBER = Month(2026, 10)
MARK_START = "<!-- staffing-assessment-bench:start -->"
MARK_END = "<!-- staffing-assessment-bench:end -->"
HEADING = "## Staffing: assessment and pay slips"
STANDARDS = [3.0, 4.0, 6.0, 7.0, 8.0, 9.0, 10.0, 12.0, 15.0, 18.0, 20.0, 28.0, 35.0, 40.0]


def staff_month(rng: random.Random, index: int) -> StaffMonthFacts:
    level = rng.choice([SkillLevel.L5, SkillLevel.L4, SkillLevel.L4, SkillLevel.L3, SkillLevel.L2])
    speed = rng.uniform(0.8, 1.3)
    items = []
    for _ in range(rng.randint(200, 450)):
        standard = rng.choice(STANDARDS)
        actual = rng.lognormvariate(0, 0.4) * standard * speed
        items.append(
            ServedItem(
                item_code=f"I{int(standard):02d}",
                standard_duration=timedelta(minutes=standard),
                actual_duration=timedelta(seconds=round(actual * 60)),
            )
        )
    rated = rng.randint(80, 250)
    very = int(rated * rng.uniform(0.55, 0.9))
    negative = rng.choice([0, 0, 0, 1, 2])
    tally = RatingTally(
        by_level={
            RatingLevel.VERY_SATISFIED: very,
            RatingLevel.SATISFIED: max(rated - very - negative - 3, 0),
            RatingLevel.BASICALLY_SATISFIED: 3,
            RatingLevel.DISSATISFIED: negative,
        },
        pending_negative_count=rng.choice([0, 0, 1]),
    )
    days = [date(2026, 10, d) for d in (8, 9, 12, 13, 14, 15, 16, 19, 20, 21, 22, 23, 26, 27, 28, 29, 30)]
    return StaffMonthFacts(
        staff_id=f"S{index:05d}",
        month=OCTOBER,
        skill_level=level,
        rostered_duration=timedelta(hours=rng.uniform(90, 130)),
        served_items=tuple(items),
        committed_on_time_count=rng.randint(5, 60),
        committed_late_count=rng.choice([0, 0, 0, 1, 2]),
        ratings=tally,
        quality_events=tuple(
            QualityEvent(kind=QualityEventKind.ERROR, on=rng.choice(days)) for _ in range(rng.choice([0, 0, 1]))
        ),
        attendance_events=tuple(
            AttendanceEvent(kind=AttendanceEventKind.LATE, on=rng.choice(days)) for _ in range(rng.choice([0, 0, 1, 2]))
        ),
        bonuses=tuple(BonusAward(points=Decimal(2), reason="延时服务") for _ in range(rng.choice([0, 0, 0, 1]))),
    )


def time_assessment(count: int, repeats: int) -> dict[str, float]:
    rng = random.Random(11)
    facts = [staff_month(rng, i) for i in range(count)]
    integrity = IntegrityRules()
    timings: dict[str, list[float]] = {"score_and_grade": [], "flags": [], "store": [], "total": []}
    for _ in range(repeats):
        started = time.perf_counter()
        graded = regrade(facts, HALL_DEFAULT_SCHEME)  # baseline, scores with lines, grades with the quota
        scored = time.perf_counter()
        from staffing.domain import centre_baseline

        baseline = centre_baseline(facts)
        for item in facts:
            integrity_flags(item, baseline, integrity)
        flagged = time.perf_counter()
        for item in facts:  # what the service stores and what a recomputation reads back
            stored = json.loads(json.dumps({"facts": encode(item), "result": encode(graded[item.staff_id].assessment)}))
            decode(StaffMonthFacts, stored["facts"])
            decode(StaffAssessment, stored["result"])
        done = time.perf_counter()
        timings["score_and_grade"].append(scored - started)
        timings["flags"].append(flagged - scored)
        timings["store"].append(done - flagged)
        timings["total"].append(done - started)
    return {k: statistics.median(v) for k, v in timings.items()}


def slip(rng: random.Random, index: int) -> s.PayRecordRead:
    rule = demo_pay_rule("BENCH", 1)
    level = rng.choice([SkillLevel.L5, SkillLevel.L4, SkillLevel.L3, SkillLevel.L2])
    facts = PayFacts(
        staff_id=f"S{index:05d}",
        month=OCTOBER,
        skill_level=level,
        days_worked=rng.randint(14, 18),
        working_days=18,
        attendance_events=tuple(
            AttendanceEvent(kind=AttendanceEventKind.LATE, on=date(2026, 10, 8)) for _ in range(rng.choice([0, 0, 1]))
        ),
    )
    grade = rng.choice(list(Grade))
    pay = compute_pay(facts, grade, rule)
    now = datetime(2026, 11, 2, 9, tzinfo=ZoneInfo("Asia/Shanghai"))
    return s.PayRecordRead(
        id=uuid4(),
        centre_code="BENCH",
        month=str(OCTOBER),
        status="locked",
        staff_employee_no=f"B{index:04d}",
        staff_name=rng.choice(["王丽华", "李建国", "张敏", "刘洋", "陈静", "杨帆", "赵雪", "黄磊"]),
        skill_level=int(level),
        grade=grade,
        grade_label_zh=grade.label_zh,
        rule_code=rule.code,
        rule_version=rule.version,
        days_worked=facts.days_worked,
        working_days=facts.working_days,
        lines=[
            s.PayLineRead(code=x.code, label_zh=x.label_zh, label_en=x.label_en, amount=x.amount, basis=x.basis)
            for x in pay.lines
        ],
        gross_amount=pay.gross_amount,
        deductions_amount=pay.deductions_amount,
        carried_over_amount=pay.carried_over_amount,
        net_amount=pay.net_amount,
        adjustments=[],
        assessment_id=uuid4(),
        computed_at=now,
        approved_at=now,
        approved_by="manager",
        locked_at=now,
        locked_by="manager",
        history=[],
    )


def time_slips(count: int, singles: int) -> dict[str, float]:
    rng = random.Random(12)
    slips = [slip(rng, i) for i in range(count)]
    zone = ZoneInfo("Asia/Shanghai")
    summary = s.CentrePayRead(
        centre_code="BENCH",
        month=str(OCTOBER),
        rule_code="BENCH",
        rule_version=1,
        records=[],
        status_counts={"locked": count},
        gross_total=sum((x.gross_amount for x in slips), Decimal(0)),
        deductions_total=sum((x.deductions_amount for x in slips), Decimal(0)),
        net_total=sum((x.net_amount for x in slips), Decimal(0)),
    )
    warm = time.perf_counter()
    documents.pdf(documents.pay_slips_html(slips[:1], centre_name="基准测试中心", zone=zone))
    first = time.perf_counter() - warm
    started = time.perf_counter()
    html = documents.centre_slips_html(summary, slips, centre_name="基准测试中心", zone=zone)
    batch = documents.pdf(html)
    batch_seconds = time.perf_counter() - started
    started = time.perf_counter()
    for one in slips[:singles]:
        documents.pdf(documents.pay_slips_html([one], centre_name="基准测试中心", zone=zone))
    single_seconds = (time.perf_counter() - started) / singles
    return {
        "font_load_and_first_slip": first,
        "batch": batch_seconds,
        "batch_mb": len(batch) / 1_000_000,
        "single": single_seconds,
    }


async def time_service_path() -> dict[str, float]:
    from hall.db import migrate
    from hall.db.engine import make_engine, make_session_maker
    from hall.domain.access import Principal
    from hall.domain.people import Role
    from hall.lib.clock import FixedClock
    from hall.seed import seed_demo
    from staffing.adapters import SqlStaffingSources
    from staffing.demo import seed_demo_month
    from staffing.services import AssessmentService, PayService

    directory = Path(tempfile.mkdtemp(prefix="hall-bench-"))
    url = f"sqlite+aiosqlite:///{directory / 'bench.db'}"
    await asyncio.to_thread(migrate.upgrade, url)
    engine = make_engine(url)
    sessions = make_session_maker(engine)
    clock = FixedClock(datetime(2026, 11, 23, 10, tzinfo=ZoneInfo("Asia/Shanghai")))
    admin = Principal(role=Role.ADMIN, name="bench", centre_scope=None)
    try:
        async with sessions() as session, session.begin():
            await seed_demo(session)
        async with sessions() as session, session.begin():
            await seed_demo_month(session, centre_code="SFX", month=OCTOBER, today=date(2026, 11, 23))
        async with sessions() as session, session.begin():
            sources = SqlStaffingSources(session)
            centre = await sources.centre("SFX")
            started = time.perf_counter()
            row = await AssessmentService(session, admin, sources, clock).compute_month(centre, OCTOBER)
            assessed = time.perf_counter()
            await PayService(session, admin, sources, clock).prepare_month(centre, OCTOBER)
            paid = time.perf_counter()
        return {"staff": row.staff_count, "assess": assessed - started, "pay": paid - assessed}
    finally:
        await engine.dispose()


def write_results(block: str) -> None:
    path = ROOT / "BENCHMARKS.md"
    content = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    if MARK_START in content and MARK_END in content:
        before, rest = content.split(MARK_START, 1)
        _, after = rest.split(MARK_END, 1)
        content = f"{before}{MARK_START}\n{block}\n{MARK_END}{after}"
    else:
        content = content.rstrip("\n") + "\n\n" + SECTION + f"\n{MARK_START}\n{block}\n{MARK_END}\n"
    path.write_text(content, encoding="utf-8")


SECTION = f"""{HEADING}

**Question** (issue 6): how long does the monthly assessment of 1,000 staff-months take, and rendering 500 pay
slips? Goals: ≤ 2 s and ≤ 30 s.

**How to run** (about a minute; `--with-db` adds the service path on SQLite):

```bash
.venv/bin/python benchmarks/assessment_bench.py [--staff 1000] [--slips 500] [--with-db]
```

**What is timed.** The assessment is the pure core plus the stored form: the centre baseline, the five component
scores with their explanation lines, grading with the 优秀 quota and its tie-break, the integrity flags, and
encoding every assessment to JSON and back (what the service writes and a recomputation reads). Loading the facts
from the database is timed separately by `--with-db` on the demo county centre's October (32 staff-months). The
slips are 500 computed pay records rendered as one batch PDF (as `DownloadCentrePaySlips` does) with the shipped
CJK font; single slips show the per-document cost. WeasyPrint needs Debian's `libharfbuzz-subset0` to subset
fonts quickly. The block between the markers is rewritten by the script.
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--staff", type=int, default=1000)
    parser.add_argument("--slips", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--singles", type=int, default=20)
    parser.add_argument("--with-db", action="store_true")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()

    assessment = time_assessment(args.staff, args.repeats)
    print(f"assessment of {args.staff} staff-months: {assessment}")
    slips = time_slips(args.slips, args.singles)
    print(f"{args.slips} pay slips: {slips}")
    lines = [
        f"Measured {datetime.now().astimezone():%Y-%m-%d %H:%M %Z} on {platform.python_implementation()} "
        f"{platform.python_version()}, {platform.machine()}; median of {args.repeats} runs for the assessment.",
        "",
        "| what | time | goal |",
        "|---|---|---|",
        f"| assess {args.staff:,} staff-months: scores, lines, grades, quota "
        f"| {assessment['score_and_grade']:.2f} s | |",
        f"| integrity flags for {args.staff:,} staff-months | {assessment['flags']:.2f} s | |",
        f"| stored form (encode to JSON and back) | {assessment['store']:.2f} s | |",
        f"| **assessment of {args.staff:,} staff-months, total** | **{assessment['total']:.2f} s** | ≤ 2 s |",
        f"| first slip (loads the 4 MB font once per process) | {slips['font_load_and_first_slip']:.2f} s | |",
        f"| **{args.slips} pay slips, one batch PDF** ({slips['batch_mb']:.1f} MB) "
        f"| **{slips['batch']:.1f} s** | ≤ 30 s |",
        f"| one single-slip PDF (mean of {args.singles}) | {slips['single']:.3f} s | |",
    ]
    if args.with_db:
        service = asyncio.run(time_service_path())
        print(f"service path: {service}")
        lines += [
            f"| service path on SQLite: gather + assess + store {service['staff']:.0f} staff-months (demo October) "
            f"| {service['assess']:.2f} s | |",
            f"| service path on SQLite: {service['staff']:.0f} pay drafts | {service['pay']:.2f} s | |",
        ]
    block = "\n".join(lines)
    if not args.no_write:
        write_results(block)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
