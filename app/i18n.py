"""English and Chinese text of the app: labels, lever names, explanations.

`tr(key, lang)` looks a label up; `lever_text(key, lang)` gives a lever's
name and its plain-words explanation; `outcome_name` and `unit_name` name the
series and units in the charts. Every table has both languages; a missing
Chinese entry falls back to English (and a test checks there is none).
"""

from __future__ import annotations

LANGS = ("en", "zh")

#: Interface labels.
LABELS: dict[str, tuple[str, str]] = {
    "title": ("Community public services: a policy classroom", "社区公共服务：政策课堂"),
    "language": ("Language", "语言"),
    "preset": ("Policy preset", "政策预设"),
    "seed": ("Random seed", "随机种子"),
    "population": ("Residents (agents)", "居民（主体数）"),
    "horizon": ("Horizon (weeks)", "模拟时长（周）"),
    "play": ("Play", "播放"),
    "pause": ("Pause", "暂停"),
    "step": ("Step", "单步"),
    "reset": ("Reset", "重置"),
    "week": ("Week", "第"),
    "week_suffix": ("", "周"),
    "of": ("of", "／"),
    "finished": ("horizon reached: reset or lengthen the horizon", "已到模拟终点：请重置或延长模拟时长"),
    "levers": ("Levers", "政策杠杆"),
    "world": ("The district (applies at reset)", "辖区设置（重置后生效）"),
    "pending": ("Takes effect at the next reset.", "将在下次重置后生效。"),
    "any_lever": ("Set any lever (key=value)", "设置任意杠杆（键=值）"),
    "apply": ("Apply", "应用"),
    "applied": ("Applied from the next step: {what}", "自下一步起生效：{what}"),
    "refused": ("Refused", "已拒绝"),
    "compare": ("Side by side: compare with", "并排比较：对照政策"),
    "compare_off": ("(off)", "（关闭）"),
    "compare_note": (
        "Both runs share the seed and the random world (common random numbers); the levers change only your policy.",
        "两次运行使用相同的随机种子和随机世界（共同随机数）；杠杆只改变“您的政策”。",
    ),
    "yours": ("your policy", "您的政策"),
    "other": ("comparison", "对照"),
    "difference": ("Difference: your policy − comparison", "差异：您的政策 − 对照"),
    "map": ("Map of the communities", "社区地图"),
    "colour_by": ("Colour by", "着色依据"),
    "urban": ("urban community", "城市社区"),
    "rural": ("village", "村"),
    "facility": ("service centre", "服务中心"),
    "catchment": ("catchment", "服务半径"),
    "now": ("This week", "本周"),
    "present": ("Present", "演示模式"),
    "dashed_other": ("dashed: comparison", "虚线：对照"),
    "pale_other": ("pale: comparison", "浅色：对照"),
    "residents_word": ("residents", "居民"),
    "present_off": ("Exit presentation", "退出演示"),
    "controls_more": ("Policy, levers and export", "政策、杠杆与导出"),
    "charts": ("Live charts", "实时图表"),
    "groups": ("Coverage and satisfaction by group", "各群体的覆盖率与满意度"),
    "explain": ("What the levers mean", "杠杆的含义"),
    "clause": ("Clause", "条款"),
    "unit": ("Unit", "单位"),
    "range": ("Range", "范围"),
    "source": ("Default from", "默认值来源"),
    "export": ("Export", "导出"),
    "status_quo": ("status quo (your preset without your levers)", "现状（不含您调整的杠杆）"),
    "lesson": ("Lesson", "课程"),
    "lesson_off": ("(no lesson)", "（不使用课程）"),
    "lesson_preset": ("(the lesson's status quo)", "（课程的现状）"),
    "lesson_step": ("Step {n} of {of}", "第 {n} 步（共 {of} 步）"),
    "lesson_question": ("Question for the class", "课堂提问"),
    "lesson_look": ("What to look at", "观察要点"),
    "lesson_notes": ("Teacher notes", "教师备注"),
    "lesson_sets": ("This step sets", "本步设置"),
    "lesson_quo": ("the status quo (no lever changed)", "现状（不调整杠杆）"),
    "lesson_started": ("Step {n}: {title}. Both runs start again from week {week}.", "第 {n} 步：{title}。两次运行均从第 {week} 周重新开始。"),
    "lesson_start": ("A running district", "运行中的地区"),
    "lesson_burnt_in": (
        "The district has run {week} weeks as it is; this step's levers act from week {next}.",
        "该地区已按现状运行 {week} 周；本步的杠杆从第 {next} 周起生效。",
    ),
    "from_address": ("From the address: {what}", "来自网址：{what}"),
    "export_csv": ("Run data (CSV)", "运行数据（CSV）"),
    "export_png": ("Charts (PNG)", "图表（PNG）"),
    "export_yaml": ("Settings (scenario YAML)", "设置（情景 YAML）"),
    "yes": ("on", "开"),
    "no": ("off", "关"),
    "share_axis": ("share", "比例"),
    "week_axis": ("week", "周"),
    "clauses_note": (
        "Clauses: P1–P4 are the problems of the status quo, M1–M6 the mechanisms the paper proposes, G1–G3 why it matters (see docs/ODD.md).",
        "条款：P1–P4 为现状中的问题，M1–M6 为论文提出的机制，G1–G3 为其意义（见 docs/ODD.md）。",
    ),
    "M1": ("M1 Planning", "M1 规划"),
    "M2": ("M2 Government provision", "M2 政府提供"),
    "M3": ("M3 Resident participation", "M3 居民参与"),
    "M4": ("M4 Volunteers", "M4 志愿服务"),
    "M5": ("M5 Leadership liaison", "M5 领导联系"),
    "M6": ("M6 Funding", "M6 经费保障"),
}

#: Lever key -> ((English name, English explanation), (Chinese name, Chinese explanation)).
LEVER_TEXT: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    "government.admin_tasks": (
        (
            "Admin tasks pushed down",
            "Administrative tasks departments push down to each committee (the paper counts about 100 in 9 categories). Each takes staff hours weekly: fewer tasks leave more time for services.",
        ),
        ("下派行政事务数", "政府部门下派给每个居（村）委会的行政事务数量（论文统计约9大类100项：核查、检查、收费等）。每项事务每周都占用工作人员时间；事务越少，用于服务的时间越多。"),
    ),
    "committees.service_orientation": (
        ("Service orientation", "How much of the committee's own time goes to serving residents rather than control work. Departments and committees favour control over service (P1)."),
        ("服务导向", "居（村）委会自身时间中用于服务居民而非管理管控的比例。论文指出部门和社区重管理、轻服务（P1）。"),
    ),
    "government.purchase_share": (
        ("Services bought from NGOs", "Share of public money the government spends buying services from social organisations by tender; providers compete on price and quality (M2, G3)."),
        ("向社会组织购买服务比例", "政府通过招标向社会组织购买服务所用公共资金的比例，使多元主体在价格和质量上竞争（M2、G3）。"),
    ),
    "government.ngo_cultivation": (
        ("NGO cultivation", "Government support for new social organisations: more of them enter and start larger (M2: cultivate NGOs)."),
        ("培育社会组织", "政府对新社会组织的扶持：更多组织进入、起步规模更大（M2：培育社会组织）。"),
    ),
    "planning.strategy": (
        ("Siting of new centres", "How the county decides where new service centres go: ad hoc (status quo), by population, to cover the most people, or villages first (M1)."),
        ("新建服务中心选址", "县（市）决定新服务中心建在哪里：随意（现状）、按人口、覆盖人数最多、或村庄优先（M1）。"),
    ),
    "planning.sharing": (
        ("Share centres between communities", "Residents may use the centres of neighbouring communities, not only their own (M1: share facilities)."),
        ("相邻社区共享设施", "居民可以使用相邻社区的服务中心，而不仅是本社区的（M1：设施共享）。"),
    ),
    "government.platform": (
        ("Information platform", "An integrated information platform and community database: each administrative task takes less time and volunteers are matched better (M1)."),
        ("综合信息平台", "综合信息平台和社区数据库：每项行政事务耗时更少，志愿者匹配更好（M1）。"),
    ),
    "planning.capital_per_capita": (
        ("Capital for new centres", "Money set aside each year to build service centres, per resident. The paper finds centres missing, worst in villages (P4)."),
        ("服务中心建设资金", "每年按人均安排的服务中心建设资金。论文指出服务设施缺乏，村庄尤甚（P4）。"),
    ),
    "committees.responsiveness": (
        ("Responsive committees", "How far committees keep in touch with residents and act on their requests at once: residents take part more and services match needs better (M3)."),
        ("居委会回应性", "居（村）委会与居民保持联系、及时回应诉求的程度：居民参与更多，服务更贴合需求（M3）。"),
    ),
    "volunteers.registration": (
        ("Volunteer registration", "Share of new volunteers registered in shared records, so they can be matched to needs (M4)."),
        ("志愿者注册", "新志愿者在共享档案中注册的比例，便于与需求匹配（M4）。"),
    ),
    "volunteers.training_hours": (
        ("Volunteer training", "Training hours a year for each registered volunteer: more skill, longer service (M4)."),
        ("志愿者培训", "每名注册志愿者每年的培训小时数：技能更高、服务更持久（M4）。"),
    ),
    "volunteers.incentive_per_hour": (
        ("Volunteer incentive", "Yuan paid (or banked, time-bank style) per volunteer hour: fewer volunteers drop out (M4: incentives and protection)."),
        ("志愿服务激励", "每小时志愿服务给予的激励（或“时间银行”积分）：流失的志愿者更少（M4：激励与保障）。"),
    ),
    "volunteers.recognition": (
        ("Public recognition", "Volunteers are publicly recognised: they stay longer (M4)."),
        ("表彰志愿者", "对志愿者进行公开表彰：他们服务更持久（M4）。"),
    ),
    "liaison.leaders": (
        ("Liaison leaders", "County or street leaders each linked to a community: they visit, solve hard cases and bring resources (M5)."),
        ("联系社区的领导", "每位县或街道领导联系一个社区：定期走访、解决难题、协调资源（M5）。"),
    ),
    "liaison.visit_interval_weeks": (
        ("Weeks between visits", "How often a liaison leader visits each linked community (M5)."),
        ("走访间隔（周）", "联系领导走访所联系社区的频率（M5）。"),
    ),
    "liaison.department_funds": (
        ("Departments' money for liaison", "Yuan a year that line departments put at the liaison leaders' disposal; each visit brings up to 5,000 of it to the committee (M5)."),
        ("部门协调资金", "各职能部门每年交由联系领导统筹的资金；每次走访最多为社区带去 5,000 元（M5）。"),
    ),
    "party.coordination": (
        ("Party committee coordination", "How well the party committee coordinates departments (fewer duplicated tasks pushed down), drives volunteering and backs visits (党委统一领导)."),
        ("党委统筹协调", "党委统一领导、统筹协调部门的力度：下派重复任务更少，推动志愿服务，支持领导联系社区。"),
    ),
    "government.payroll_funding": (
        ("Payroll funded", "Share of committee staff's full pay bill the county sends each week. Below 1, committees fall into wage arrears: morale and staff fall (P4)."),
        ("工资经费保障", "县级每周拨付的社区工作者工资总额比例。低于 1 时社区拖欠工资，士气下降、人员流失（P4）。"),
    ),
    "government.budget_per_capita": (
        ("Public finance per resident", "Yearly public money for community services, per resident. The paper finds funding outside budgets and too little (P4); M6 asks for more."),
        ("人均公共财政投入", "每年按人均安排的社区服务公共资金。论文指出经费未纳入预算且不足（P4）；M6 要求加大投入。"),
    ),
    "government.allocation_rule": (
        ("How money is split", "How public finance is split between communities: per head, by need, biased to towns (status quo), or equalising town and village (G2)."),
        ("资金分配方式", "公共财政在社区之间的分配方式：按人头、按需求、偏向城市（现状）、或城乡均等化（G2）。"),
    ),
    "committees.pay_ratio_rural": (
        ("Village staff pay", "Village committee pay relative to the local minimum wage. Below 1, morale falls, staff leave and posts stay empty (P4)."),
        ("村干部报酬", "村委会工作人员报酬相对当地最低工资的倍数。低于1时士气下降、人员流失、岗位空缺（P4）。"),
    ),
    "committees.transparency": (
        ("Open accounts", "Committees publish their accounts (居务公开): less money leaks away and residents trust them more (M6)."),
        ("居务公开", "居（村）委会公开账目：资金流失更少，居民更信任（M6）。"),
    ),
    "funding.oversight": (
        ("Audit and oversight", "Government audit of community funds: together with open accounts it cuts leakage (M6)."),
        ("审计监督", "政府对社区资金的审计：与居务公开一起减少资金流失（M6）。"),
    ),
    "funding.lottery_per_capita": (
        ("Lottery welfare funds", "Welfare-lottery public-welfare funds per resident, used for centres and volunteers (M6: diversified sources)."),
        ("福利彩票公益金", "人均福利彩票公益金，用于服务中心和志愿服务（M6：多元筹资）。"),
    ),
    "world.residents": (
        ("Residents (agents)", "Resident agents in the district; capped in the app so that a step stays fast."),
        ("居民数（主体）", "辖区内的居民主体数量；在本应用中设有上限，以保证每一步运行迅速。"),
    ),
    "steps": (
        ("Horizon (weeks)", "How many weeks a run lasts; one step is one week."),
        ("模拟时长（周）", "一次运行持续的周数；每一步为一周。"),
    ),
}

#: Choice values of the selector levers.
CHOICES: dict[str, tuple[str, str]] = {
    "ad_hoc": ("ad hoc", "随意布点"),
    "population_weighted": ("by population", "按人口"),
    "coverage_max": ("cover the most people", "覆盖最大化"),
    "equity_first": ("villages first", "村庄优先"),
    "per_capita": ("per head", "按人头"),
    "needs_based": ("by need", "按需求"),
    "urban_biased": ("biased to towns", "偏向城市"),
    "equalising": ("equalising", "城乡均等化"),
}

#: Outcome series names.
OUTCOME_NAMES: dict[str, tuple[str, str]] = {
    "coverage": ("need coverage", "需求覆盖率"),
    "access_coverage": ("access to a centre", "设施可及性"),
    "coverage_urban": ("coverage, urban", "覆盖率（城市）"),
    "coverage_rural": ("coverage, rural", "覆盖率（农村）"),
    "satisfaction": ("satisfaction", "满意度"),
    "trust": ("trust", "信任度"),
    "satisfaction_urban": ("satisfaction, urban", "满意度（城市）"),
    "satisfaction_rural": ("satisfaction, rural", "满意度（农村）"),
    "urban_rural_gap": ("urban − rural gap", "城乡差距（城−乡）"),
    "abandoned_share": ("needs given up after waiting", "等待后放弃的需求"),
    "unasked_share": ("needs never asked for", "未提出的需求"),
    "wait_mean": ("mean wait, weeks", "平均等待（周）"),
    "wait_p90": ("90th-percentile wait, weeks", "90% 分位等待（周）"),
    "wait_mean_rural": ("mean wait, rural", "平均等待（农村）"),
    "pay_arrears_share": ("committees owing wages", "拖欠工资的社区比例"),
    "served_share_of_waiting": ("met this week / waiting", "本周办结 / 等待中"),
    "pot_purchase": ("unspent purchase money", "未用的购买服务资金"),
    "equity_gini": ("Gini of coverage", "覆盖率基尼系数"),
    "admin_share": ("committee time on admin", "行政事务占用时间比例"),
    "staff_turnover": ("staff turnover", "人员流失率"),
    "volunteer_rate": ("residents volunteering", "志愿者比例"),
    "volunteer_hours": ("volunteer hours", "志愿服务时长"),
    "participation_rate": ("participation", "参与率"),
    "spending": ("spending", "支出"),
    "backlog": ("needs waiting", "待办需求"),
    "source_public_finance": ("public finance", "公共财政"),
    "source_lottery": ("lottery funds", "彩票公益金"),
    "source_donations": ("donations", "社会捐赠"),
    "source_fees": ("fees", "服务收费"),
    "source_mobilised": ("mobilised by leaders", "领导协调资源"),
}

#: Resident groups and places.
GROUP_NAMES: dict[str, tuple[str, str]] = {
    "elderly": ("elderly", "老年人"),
    "disabled": ("disabled", "残疾人"),
    "youth": ("youth", "青少年"),
    "working_adults": ("women and working adults", "妇女及在职成年人"),
    "low_income": ("low income", "低收入"),
    "migrant": ("migrants", "流动人口"),
    "urban": ("urban", "城市"),
    "rural": ("rural", "农村"),
}

#: Chart titles.
CHART_TITLES: dict[str, tuple[str, str]] = {
    "coverage": ("Coverage", "覆盖率"),
    "satisfaction": ("Satisfaction and trust", "满意度与信任"),
    "gap": ("Urban–rural gap", "城乡差距"),
    "admin": ("Committee time on admin", "居委会行政负担"),
    "volunteers": ("Volunteers", "志愿者"),
    "spending": ("Spending by source (yuan/week)", "各来源资金（元/周）"),
    "groups": ("By group (last 4 weeks)", "按群体（近4周）"),
    "difference": ("Difference (your policy − comparison)", "差异（您的政策 − 对照）"),
}

#: Units from the schema.
UNITS: dict[str, str] = {
    "share": "比例",
    "tasks": "项",
    "on/off": "开/关",
    "strategy": "策略",
    "rule": "规则",
    "yuan/person/year": "元/人/年",
    "hours/year": "小时/年",
    "yuan/hour": "元/小时",
    "leaders": "人",
    "weeks": "周",
    "x minimum wage": "× 最低工资",
    "agents": "个主体",
    "yuan/week": "元/周",
    "hours/week": "小时/周",
}

#: Preset descriptions in Chinese (English ones come from the files).
PRESETS_ZH: dict[str, str] = {
    "baseline": "现状（P1–P4）",
    "m1_planning": "M1 规划：覆盖最大化选址、设施共享、信息平台",
    "m2_provision": "M2 政府提供：减少下派事务、培育并购买社会组织服务",
    "m3_participation": "M3 居民参与：回应性强、服务导向的居委会",
    "m4_volunteers": "M4 志愿服务：注册、培训、激励、表彰",
    "m5_liaison": "M5 领导联系社区：每月走访",
    "m6_funding": "M6 经费保障：增加投入、按需分配、居务公开与监督",
    "integrated_reform": "综合改革：M1–M6 同时实施",
    "stress_aging": "压力测试：人口老龄化",
    "stress_budget_cut": "压力测试：财政削减 40%",
    "city": "城市规模现状：百万人口、250 个社区（P1–P4）",
    "example_district": "示例县：由 GIS 文件读入的边界、人口与服务中心（现状）",
}


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "zh" and pair[1] else pair[0]


def tr(key: str, lang: str, **fmt: object) -> str:
    """An interface label in ``lang`` ("en" or "zh"), formatted with ``fmt``."""
    text = _pick(LABELS[key], lang)
    return text.format(**fmt) if fmt else text


def lever_name(key: str, lang: str) -> str:
    """A lever's short name."""
    pair = LEVER_TEXT.get(key)
    return _pick((pair[0][0], pair[1][0]), lang) if pair else key


def lever_explanation(key: str, lang: str) -> str:
    """A lever's meaning in plain words."""
    pair = LEVER_TEXT.get(key)
    return _pick((pair[0][1], pair[1][1]), lang) if pair else ""


def choice_name(value: str, lang: str) -> str:
    """A selector value's display name."""
    return _pick(CHOICES[value], lang) if value in CHOICES else value


def outcome_name(name: str, lang: str) -> str:
    """An outcome series' display name."""
    return _pick(OUTCOME_NAMES[name], lang) if name in OUTCOME_NAMES else name.replace("_", " ")


def group_name(name: str, lang: str) -> str:
    """A resident group's (or place's) display name."""
    return _pick(GROUP_NAMES[name], lang) if name in GROUP_NAMES else name


def chart_title(name: str, lang: str) -> str:
    """A chart's title."""
    return _pick(CHART_TITLES[name], lang)


def unit_name(unit: str, lang: str) -> str:
    """A unit of measure."""
    return UNITS.get(unit, unit) if lang == "zh" else unit


def preset_label(name: str, description: str, lang: str) -> str:
    """A preset's menu label."""
    if lang == "zh":
        return f"{name} — {PRESETS_ZH.get(name, description)}"
    return f"{name} — {description}" if description else name
