"""The demo centre: 示范县政务服务中心 with two township centres below it.

Plausible, not real: standard minutes follow ``shared/domain.md`` §5.4; statutory limits are the usual ones of the
laws concerned where known, committed limits the shorter published ones typical of county centres. Everything
here is demo data only; a real installation starts empty.
"""

from __future__ import annotations

from datetime import date, time

DEMO_PASSWORD = "Hall-demo-2026"  # noqa: S105 - demo data only, printed by `hall seed demo`
DEMO_KIOSK_TOKEN = "hk_demo-kiosk-SFX-0001"  # noqa: S105
DEMO_DISPLAY_TOKEN = "hd_demo-display-SFX-0001"  # noqa: S105

DEPARTMENTS = [
    ("ZWB", "县政务服务管理局", "County Government Services Administration"),
    ("HRSS", "县人力资源和社会保障局", "Human Resources and Social Security Bureau"),
    ("MIB", "县医疗保障局", "Medical Insurance Bureau"),
    ("HPF", "县住房公积金管理中心", "Housing Provident Fund Centre"),
    ("REG", "县不动产登记中心", "Real Estate Registration Centre"),
    ("PSB", "县公安局", "Public Security Bureau"),
    ("TAX", "县税务局", "Tax Bureau"),
    ("AMR", "县市场监督管理局", "Administration for Market Regulation"),
    ("CAB", "县民政局", "Civil Affairs Bureau"),
    ("HCB", "县住房和城乡建设局", "Housing and Urban-Rural Development Bureau"),
    ("TRB", "县交通运输局", "Transport Bureau"),
]

# code, name_zh, name_en, department, domain, standard minutes, statutory wd, committed wd, instant, min level,
# appointment, conditional acceptance (容缺受理)
# fmt: off
ITEMS: list[tuple[str, str, str, str, str, float, int | None, int | None, bool, int, bool, bool]] = [
    ("SB001", "城乡居民基本养老保险参保登记", "Residents' pension insurance enrolment", "HRSS", "social_security", 8, None, None, True, 5, False, False),
    ("SB002", "社会保险个人权益记录查询打印", "Social insurance record printout", "HRSS", "social_security", 4, None, None, True, 5, False, False),
    ("SB003", "失业保险金申领", "Unemployment benefit claim", "HRSS", "social_security", 12, 20, 5, False, 4, False, True),
    ("SB004", "企业职工基本养老保险关系转移接续", "Employee pension transfer", "HRSS", "social_security", 15, 45, 15, False, 4, False, False),
    ("SB005", "退休待遇申领", "Retirement benefit application", "HRSS", "social_security", 20, 20, 10, False, 3, True, True),
    ("SB006", "社会保障卡申领补换", "Social security card application", "HRSS", "social_security", 7, None, None, True, 5, False, False),
    ("YB001", "基本医疗保险参保登记", "Medical insurance enrolment", "MIB", "medical_insurance", 7, None, None, True, 5, False, False),
    ("YB002", "异地就医备案", "Out-of-area medical care filing", "MIB", "medical_insurance", 6, None, None, True, 5, False, False),
    ("YB003", "门诊慢特病待遇认定", "Chronic-disease outpatient entitlement", "MIB", "medical_insurance", 15, 20, 10, False, 4, False, True),
    ("YB004", "零星医疗费用手工报销", "Manual medical-expense reimbursement", "MIB", "medical_insurance", 18, 30, 15, False, 4, False, False),
    ("GJJ01", "住房公积金单位缴存登记", "Housing fund employer registration", "HPF", "housing_fund", 10, None, None, True, 5, False, False),
    ("GJJ02", "住房公积金提取（租房）", "Housing fund withdrawal for rent", "HPF", "housing_fund", 8, None, None, True, 5, False, False),
    ("GJJ03", "住房公积金提取（购房）", "Housing fund withdrawal for a purchase", "HPF", "housing_fund", 15, 5, 3, False, 4, False, True),
    ("GJJ04", "住房公积金个人住房贷款申请", "Housing fund mortgage application", "HPF", "housing_fund", 35, 15, 10, False, 3, True, False),
    ("BDC01", "不动产转移登记（存量房）", "Transfer registration (resale home)", "REG", "real_estate", 35, 30, 5, False, 3, True, True),
    ("BDC02", "不动产抵押权登记", "Mortgage registration", "REG", "real_estate", 28, 30, 3, False, 3, True, False),
    ("BDC03", "不动产登记资料查询", "Registration records enquiry", "REG", "real_estate", 6, None, None, True, 5, False, False),
    ("BDC04", "不动产首次登记", "First registration of real estate", "REG", "real_estate", 40, 30, 10, False, 3, True, True),
    ("HJ001", "居民身份证申领换领", "Resident ID card application or renewal", "PSB", "household_registration", 9, 60, 15, False, 5, False, False),
    ("HJ002", "户口迁移（县内）", "Household registration move (within county)", "PSB", "household_registration", 12, 20, 5, False, 4, False, True),
    ("HJ003", "出生登记", "Birth registration", "PSB", "household_registration", 10, None, None, True, 4, False, False),
    ("HJ004", "居住证申领", "Residence permit application", "PSB", "household_registration", 8, 15, 7, False, 5, False, False),
    ("CRJ01", "普通护照签发", "Ordinary passport issuance", "PSB", "exit_entry", 10, 15, 7, False, 4, True, False),
    ("CRJ02", "往来港澳通行证及签注", "Hong Kong/Macao travel permit and endorsement", "PSB", "exit_entry", 8, 15, 7, False, 4, True, False),
    ("CRJ03", "往来台湾通行证及签注", "Taiwan travel permit and endorsement", "PSB", "exit_entry", 9, 15, 10, False, 4, True, False),
    ("SW001", "发票领用", "Invoice issuance", "TAX", "tax", 6, None, None, True, 5, False, False),
    ("SW002", "个人所得税综合所得汇算", "Individual income tax annual reconciliation", "TAX", "tax", 15, None, None, True, 4, False, False),
    ("SW003", "存量房交易税费申报", "Resale property transaction tax", "TAX", "tax", 20, None, None, True, 3, True, False),
    ("SW004", "税务登记信息变更", "Tax registration change", "TAX", "tax", 10, None, None, True, 5, False, False),
    ("QY001", "企业开办（设立登记一件事）", "Business start-up (one-stop formation)", "AMR", "business_startup", 30, 15, 1, False, 3, True, True),
    ("QY002", "个体工商户设立登记", "Sole proprietorship registration", "AMR", "business_startup", 15, None, None, True, 4, False, True),
    ("QY003", "企业变更登记", "Company change registration", "AMR", "business_startup", 18, 15, 3, False, 4, False, True),
    ("QY004", "企业注销登记", "Company deregistration", "AMR", "business_startup", 20, 20, 3, False, 3, False, False),
    ("MZ001", "婚姻登记", "Marriage registration", "CAB", "civil_affairs", 15, None, None, True, 4, True, False),
    ("MZ002", "最低生活保障申请", "Minimum living allowance application", "CAB", "civil_affairs", 20, 30, 20, False, 4, False, True),
    ("MZ003", "高龄津贴申领", "Old-age allowance application", "CAB", "civil_affairs", 8, 20, 10, False, 5, False, True),
    ("GC001", "建筑工程施工许可", "Construction works permit", "HCB", "construction", 40, 15, 5, False, 2, True, True),
    ("GC002", "商品房预售许可", "Pre-sale permit for commercial housing", "HCB", "construction", 35, 20, 10, False, 3, True, False),
    ("JT001", "道路运输从业人员从业资格证", "Road transport worker qualification", "TRB", "transport", 10, 20, 5, False, 4, False, False),
    ("ZX001", "政策咨询", "Policy consultation", "ZWB", "consultation", 4, None, None, True, 5, False, False),
    ("ZX002", "帮办代办", "Assisted and proxy service", "ZWB", "consultation", 12, None, None, True, 4, False, False),
    ("CJ001", "证照领取", "Certificate collection", "ZWB", "consultation", 3, None, None, True, 5, False, False),
]
# fmt: on

COUNTY = "SFX"
TOWNSHIPS = ("SFX-QS", "SFX-LH")

# code, name_zh, name_en, level, parent, address
CENTRES = [
    (COUNTY, "示范县政务服务中心", "Shifan County Government Service Center", "county", None, "示范县人民路 88 号"),
    (
        "SFX-QS",
        "示范县青山镇便民服务中心",
        "Qingshan Township Community Service Center",
        "township",
        COUNTY,
        "青山镇府前街 6 号",
    ),
    (
        "SFX-LH",
        "示范县柳河镇便民服务中心",
        "Liuhe Township Community Service Center",
        "township",
        COUNTY,
        "柳河镇新华路 12 号",
    ),
]

WEEKDAYS = range(5)
COUNTY_SESSIONS = [(d, time(9, 0), time(12, 0)) for d in WEEKDAYS] + [(d, time(13, 30), time(17, 0)) for d in WEEKDAYS]
COUNTY_SESSIONS += [(5, time(9, 0), time(12, 0))]  # 周六上午延时服务
TOWNSHIP_SESSIONS = [(d, time(8, 30), time(12, 0)) for d in WEEKDAYS] + [
    (d, time(14, 0), time(17, 30)) for d in WEEKDAYS
]

TOWNSHIP_ITEMS = [
    "SB001", "SB002", "SB003", "SB006", "YB001", "YB002", "YB003", "HJ001", "HJ003", "HJ004",
    "MZ002", "MZ003", "SW001", "ZX001", "ZX002", "CJ001",
]  # fmt: skip

SOCIAL = ["social_security", "medical_insurance"]
GREEN = [*SOCIAL, "household_registration", "civil_affairs", "housing_fund"]
# number, type, label, domains, item codes
COUNTY_WINDOWS: list[tuple[int, str, str, list[str], list[str]]] = [
    *[(n, "comprehensive_all", "无差别综合窗口", [], []) for n in range(1, 7)],
    (7, "comprehensive_domain", "社保医保综合窗口", SOCIAL, []),
    (8, "comprehensive_domain", "社保医保综合窗口", SOCIAL, []),
    (9, "comprehensive_domain", "公积金综合窗口", ["housing_fund"], []),
    (10, "comprehensive_domain", "不动产登记综合窗口", ["real_estate"], []),
    (11, "comprehensive_domain", "不动产登记综合窗口", ["real_estate", "tax"], []),
    (12, "specialized", "税务窗口", ["tax"], []),
    (13, "specialized", "出入境窗口", ["exit_entry"], []),
    (14, "specialized", "出入境窗口", ["exit_entry"], []),
    (15, "specialized", "户籍窗口", ["household_registration"], []),
    (16, "comprehensive_domain", "企业开办专区", ["business_startup", "tax"], []),
    (
        17,
        "priority",
        "绿色通道 / 军人依法优先窗口",
        [*SOCIAL, "household_registration", "civil_affairs", "housing_fund"],
        [],
    ),
    (18, "comprehensive_domain", "工程建设项目审批窗口", ["construction"], []),
    (19, "guide_desk", "咨询导办台", ["consultation"], []),
    (20, "result_pickup", "统一出件窗口", [], ["CJ001"]),
]
TOWNSHIP_WINDOWS: list[tuple[int, str, str, list[str], list[str]]] = [
    (1, "comprehensive_all", "综合受理窗口", [], []),
    (2, "comprehensive_all", "综合受理窗口", [], []),
]

# Qualification groups: the all-service windows' domains, and the green-channel window's.
ALL = [
    "social_security", "medical_insurance", "housing_fund", "household_registration", "civil_affairs", "tax",
    "consultation",
]  # fmt: skip

# centre, employee no, name, level, employment type, qualified domains, certified on
# fmt: off
STAFF: list[tuple[str, str, str, int, str, list[str], date | None]] = [
    (COUNTY, "SFX001", "王丽华", 3, "public_institution", [*ALL, "real_estate"], date(2023, 6, 18)),
    (COUNTY, "SFX002", "李建国", 2, "civil_servant", [*ALL, "real_estate", "business_startup"], date(2022, 11, 5)),
    (COUNTY, "SFX003", "张敏", 4, "contracted", ALL, date(2024, 5, 20)),
    (COUNTY, "SFX004", "刘洋", 4, "contracted", ALL, date(2024, 5, 20)),
    (COUNTY, "SFX005", "陈静", 3, "dispatched", [*ALL, "business_startup"], date(2023, 12, 10)),
    (
        COUNTY,
        "SFX006",
        "杨帆",
        5,
        "dispatched",
        ["social_security", "medical_insurance", "consultation"],
        date(2025, 9, 12),
    ),
    (COUNTY, "SFX007", "赵雪", 4, "contracted", ["social_security", "medical_insurance"], date(2024, 5, 20)),
    (
        COUNTY,
        "SFX008",
        "黄磊",
        4,
        "contracted",
        ["social_security", "medical_insurance", "civil_affairs"],
        date(2024, 11, 16),
    ),
    (COUNTY, "SFX009", "周婷", 5, "dispatched", ["social_security", "medical_insurance"], date(2025, 9, 12)),
    (COUNTY, "SFX010", "吴昊", 3, "seconded", ["housing_fund"], date(2023, 6, 18)),
    (COUNTY, "SFX011", "徐慧", 4, "contracted", ["housing_fund", "social_security"], date(2024, 5, 20)),
    (COUNTY, "SFX012", "孙志强", 2, "seconded", ["real_estate", "tax"], date(2022, 11, 5)),
    (COUNTY, "SFX013", "胡晓燕", 3, "seconded", ["real_estate"], date(2023, 12, 10)),
    (COUNTY, "SFX014", "朱伟", 3, "contracted", ["real_estate", "tax"], date(2024, 11, 16)),
    (COUNTY, "SFX015", "高明", 4, "seconded", ["tax"], date(2024, 5, 20)),
    (COUNTY, "SFX016", "林芳", 3, "seconded", ["tax", "business_startup"], date(2023, 6, 18)),
    (COUNTY, "SFX017", "何军", 4, "civil_servant", ["exit_entry", "household_registration"], date(2024, 5, 20)),
    (COUNTY, "SFX018", "郭佳", 4, "dispatched", ["exit_entry"], date(2024, 11, 16)),
    (COUNTY, "SFX019", "马超", 5, "dispatched", ["exit_entry", "household_registration"], date(2025, 9, 12)),
    (COUNTY, "SFX020", "罗红", 3, "civil_servant", ["household_registration", "exit_entry"], date(2023, 12, 10)),
    (COUNTY, "SFX021", "梁晨", 3, "contracted", ["business_startup", "tax"], date(2023, 6, 18)),
    (COUNTY, "SFX022", "宋佳怡", 4, "contracted", ["business_startup"], date(2024, 11, 16)),
    (COUNTY, "SFX023", "郑国庆", 4, "public_institution", GREEN, date(2024, 5, 20)),
    (COUNTY, "SFX024", "谢琳", 3, "public_institution", GREEN, date(2023, 12, 10)),
    (COUNTY, "SFX025", "韩冰", 2, "seconded", ["construction"], date(2021, 10, 30)),
    (COUNTY, "SFX026", "唐宇", 3, "seconded", ["construction", "real_estate"], date(2023, 6, 18)),
    (COUNTY, "SFX027", "冯雅", 5, "dispatched", ["consultation"], None),
    (COUNTY, "SFX028", "董欣", 4, "dispatched", ["consultation", "social_security"], date(2024, 11, 16)),
    (COUNTY, "SFX029", "萧然", 5, "dispatched", ["consultation"], None),
    (COUNTY, "SFX030", "程立", 4, "contracted", [*ALL, "exit_entry"], date(2024, 5, 20)),
    (
        COUNTY,
        "SFX031",
        "曹颖",
        5,
        "dispatched",
        ["social_security", "medical_insurance", "civil_affairs"],
        date(2025, 9, 12),
    ),
    (COUNTY, "SFX032", "彭博", 4, "contracted", ["housing_fund", "real_estate"], date(2024, 11, 16)),
    ("SFX-QS", "QS001", "曾晓梅", 4, "public_institution", ALL, date(2024, 5, 20)),
    ("SFX-QS", "QS002", "邓刚", 5, "contracted", ALL, date(2025, 9, 12)),
    ("SFX-QS", "QS003", "许丹", 4, "contracted", ALL, date(2024, 11, 16)),
    ("SFX-QS", "QS004", "傅强", 5, "dispatched", ["social_security", "medical_insurance", "consultation"], None),
    ("SFX-LH", "LH001", "沈玉兰", 3, "public_institution", ALL, date(2023, 12, 10)),
    ("SFX-LH", "LH002", "曾浩", 4, "contracted", ALL, date(2024, 5, 20)),
    ("SFX-LH", "LH003", "吕娜", 5, "dispatched", ALL, date(2025, 9, 12)),
    ("SFX-LH", "LH004", "苏文", 4, "contracted", ALL, date(2024, 11, 16)),
]
# fmt: on

CERT_BODY = "中国通信工业协会数字政务专业委员会"

# username, display name, role, centre, staff employee no
USERS = [
    ("admin", "系统管理员", "admin", None, None),
    ("manager", "县中心 值班长 周主任", "manager", COUNTY, None),
    ("qs-manager", "青山镇 负责人 钱站长", "manager", "SFX-QS", None),
    ("wanglihua", "王丽华", "staff", COUNTY, "SFX001"),
    ("zhangmin", "张敏", "staff", COUNTY, "SFX003"),
]

# 国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04)
HOLIDAYS_2026: list[tuple[date, str, str]] = []


def _span(start: date, end: date, name: str) -> None:
    from datetime import timedelta

    on = start
    while on <= end:
        HOLIDAYS_2026.append((on, "holiday", name))
        on += timedelta(days=1)


_span(date(2026, 1, 1), date(2026, 1, 3), "元旦")
HOLIDAYS_2026.append((date(2026, 1, 4), "workday", "元旦调休上班"))
_span(date(2026, 2, 15), date(2026, 2, 23), "春节")
HOLIDAYS_2026 += [(date(2026, 2, 14), "workday", "春节调休上班"), (date(2026, 2, 28), "workday", "春节调休上班")]
_span(date(2026, 4, 4), date(2026, 4, 6), "清明节")
_span(date(2026, 5, 1), date(2026, 5, 5), "劳动节")
HOLIDAYS_2026.append((date(2026, 5, 9), "workday", "劳动节调休上班"))
_span(date(2026, 6, 19), date(2026, 6, 21), "端午节")
_span(date(2026, 9, 25), date(2026, 9, 27), "中秋节")
_span(date(2026, 10, 1), date(2026, 10, 7), "国庆节")
HOLIDAYS_2026 += [(date(2026, 9, 20), "workday", "国庆节调休上班"), (date(2026, 10, 10), "workday", "国庆节调休上班")]
HOLIDAYS_2026.sort()
