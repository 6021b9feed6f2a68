"""The service catalogue: domains and service items (政务服务事项)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from hall.domain.skills import SkillLevel


class ServiceDomain(StrEnum):
    """The business domain of a service item; domain windows (分领域综合窗口) serve one or more domains."""

    SOCIAL_SECURITY = "social_security"  # 社保
    MEDICAL_INSURANCE = "medical_insurance"  # 医保
    HOUSING_FUND = "housing_fund"  # 公积金
    REAL_ESTATE = "real_estate"  # 不动产
    HOUSEHOLD_REGISTRATION = "household_registration"  # 户籍
    EXIT_ENTRY = "exit_entry"  # 出入境
    TAX = "tax"  # 税务
    BUSINESS_STARTUP = "business_startup"  # 企业开办
    CIVIL_AFFAIRS = "civil_affairs"  # 民政
    CONSTRUCTION = "construction"  # 工程建设
    TRANSPORT = "transport"  # 交通
    CONSULTATION = "consultation"  # 咨询

    @property
    def label_zh(self) -> str:
        return DOMAIN_LABELS_ZH[self]

    @property
    def default_ticket_prefix(self) -> str:
        return DEFAULT_TICKET_PREFIX[self]


DOMAIN_LABELS_ZH: dict[ServiceDomain, str] = {
    ServiceDomain.SOCIAL_SECURITY: "社保",
    ServiceDomain.MEDICAL_INSURANCE: "医保",
    ServiceDomain.HOUSING_FUND: "公积金",
    ServiceDomain.REAL_ESTATE: "不动产",
    ServiceDomain.HOUSEHOLD_REGISTRATION: "户籍",
    ServiceDomain.EXIT_ENTRY: "出入境",
    ServiceDomain.TAX: "税务",
    ServiceDomain.BUSINESS_STARTUP: "企业开办",
    ServiceDomain.CIVIL_AFFAIRS: "民政",
    ServiceDomain.CONSTRUCTION: "工程建设",
    ServiceDomain.TRANSPORT: "交通",
    ServiceDomain.CONSULTATION: "咨询",
}

DEFAULT_TICKET_PREFIX: dict[ServiceDomain, str] = {
    ServiceDomain.SOCIAL_SECURITY: "A",
    ServiceDomain.MEDICAL_INSURANCE: "B",
    ServiceDomain.HOUSING_FUND: "C",
    ServiceDomain.REAL_ESTATE: "D",
    ServiceDomain.HOUSEHOLD_REGISTRATION: "E",
    ServiceDomain.EXIT_ENTRY: "F",
    ServiceDomain.TAX: "G",
    ServiceDomain.BUSINESS_STARTUP: "H",
    ServiceDomain.CIVIL_AFFAIRS: "J",
    ServiceDomain.CONSTRUCTION: "K",
    ServiceDomain.TRANSPORT: "L",
    ServiceDomain.CONSULTATION: "Z",
}


@dataclass(frozen=True, slots=True)
class ItemRequirement:
    """What serving one catalogue item demands of a window and its staff member.

    This is the plain-data view of a catalogue item that routing and the simulation need.
    """

    code: str
    domain: ServiceDomain
    min_skill_level: SkillLevel = SkillLevel.L5
    standard_minutes: float = 10.0
