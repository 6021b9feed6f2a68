"""Staff and users: employment types, roles and priority groups."""

from __future__ import annotations

from enum import StrEnum


class EmploymentType(StrEnum):
    """The labour relation of a window staff member."""

    CIVIL_SERVANT = "civil_servant"  # 公务员
    PUBLIC_INSTITUTION = "public_institution"  # 事业编
    SECONDED = "seconded"  # 部门派驻
    DISPATCHED = "dispatched"  # 劳务派遣
    CONTRACTED = "contracted"  # 政府购买服务 / 编外合同


class Role(StrEnum):
    """What a signed-in principal may do; checked by every route's guard."""

    ADMIN = "admin"  # all centres
    MANAGER = "manager"  # own centre and the centres below it
    STAFF = "staff"  # own records only
    KIOSK = "kiosk"  # a ticket kiosk device
    DISPLAY = "display"  # a display-board device


class PriorityGroup(StrEnum):
    """Special groups entitled to priority (绿色通道 / 依法优先), ``shared/domain.md`` §3.4.

    ``EMERGENCY`` outranks the statutory groups; which statutory groups a centre honours is a centre setting.
    """

    EMERGENCY = "emergency"  # 危重症 / 紧急
    MILITARY = "military"  # 现役/退役军人及军属 (军人依法优先)
    DISABLED = "disabled"  # 残疾人
    PREGNANT = "pregnant"  # 孕妇
    ELDERLY = "elderly"  # 老年人 (age threshold is a centre setting)
    FIREFIGHTER = "firefighter"  # 消防救援人员
    SERIOUSLY_ILL = "seriously_ill"  # 重病患者
