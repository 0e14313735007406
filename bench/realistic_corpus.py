"""A realistic corpus for bench/realistic.py: pages of 30–100 KB on the sample site's five templates, unique text,
long bodies, attachments, and days of history.

    corpus = Corpus(root, seed=7)            # copies the sample site to root, loads templates and boilerplate
    items = corpus.add_day(date, 50)         # 50 new article pages first listed on `date` (files written under root)
    corpus.write_lists(items_by_host)        # the hosts' list pages / JSON lists link exactly these items

What makes it realistic (issue 20), and where each part comes from:

- **Page weight.** Each page is one of the sample site's ten articles (the five sites' real templates: selectors,
  <meta> fields, date formats, gov.cn's metadata table) with its body replaced, then padded to a drawn size of 30–100
  KB with the blocks real pages carry around their text: <script> and <style> blocks and <link>/<meta> lines in the
  head, navigation menus and link lists after <body>, sidebars after the article, footers and trailing scripts.
  The blocks are cut at run time from the real pages in ../shared/fixtures-real (read in place, never copied into the
  repository: scripts, styles, link-dense lists and tables, footers of xinhuanet, gov.cn, miit, ndrc, people, qq and
  provincial pages); without that folder a synthetic set of the same kinds is used. Document links inside the real
  blocks are neutralised (href="#"), so only the generated attachment links count as attachments.
- **Unique text.** Sentences are composed from some eighty sentence patterns over a varied vocabulary: the
  gazetteer's provinces, 333 cities, 2,800 counties, 500 development zones and 400 institutions (zhtext/data, read at
  run time), generated company and person names, products, technologies, industries, and numbers, amounts, dates and
  percentages drawn per sentence. A few stock phrases of official documents (特此通知。) repeat as they do in reality.
  The translation memory's hit rate on a fresh database is measured by the bench, not assumed.
- **Length.** Body lengths (characters) are drawn from a log-normal distribution with median 2,600: most bodies are
  1–5 k characters, about one in twenty above 8 k, cut at 20 k. Official sites carry policy documents (文号 line,
  salutation, numbered sections, signature), news sites news (dateline, quotes, figures).
- **Attachments.** A share of pages (default 15 %) links one to three attachments — PDFs (hand-written PDF 1.4 with
  a Type0/Identity-H font and a ToUnicode map, so pypdf extracts the Chinese text; Flate-compressed content) and XLSX
  workbooks (openpyxl) holding a table of 10–150 rows — served by the site like every other file.
- **Topics.** About one article in 25 announces or lists pilot platforms (the tagger's and the registry's busy
  path; 23 of the 445 real labelled items are announcements), three in ten are about biomanufacturing in general,
  the rest about other industries and public services. An attachment's table follows its article: a platform list,
  a project list or a division of tasks.

Publication dates in the page markup stay those of the template; what makes history is when an article is first
seen (the bench runs the pipeline day by day, see bench/realistic.py).
"""

from __future__ import annotations

import io
import json
import math
import random
import re
import shutil
import zlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
FIXTURES_REAL = ROOT.parent / "shared" / "fixtures-real"

# --- vocabulary ---------------------------------------------------------------------------------------------------

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石"
            "廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN = ("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力鹏飞斌宇浩凯健俊峰晨瑞博志坤雪琳婷颖欣悦思远航"
         "宁晓立新国庆春海波涛亮松林楠毅琦璐倩然晗昊天佳鑫雅慧彤诗梦嘉铭哲睿泽晟宏卫东南北中源晶卓越梓萱若彬")
BRAND = ("华瑞康泰恒源鼎盛嘉禾绿洲蓝海启明新元联创博远天成金达正邦中科汇智合众宏图凯瑞润泽安信昊天华誉盛世鸿运锦程"
         "晨光瑞丰德润永兴远航弘毅明德卓越聚能众诚浩然天佑瑞康欣荣智源科兴蓝天碧水青山云帆星辰海纳同创睿思")
COMPANY_KINDS = ("生物科技", "合成生物", "生物医药", "生物工程", "生物材料", "酶工程", "发酵科技", "食品科技", "化工科技",
                 "新材料", "智能装备", "能源科技", "环保科技", "医疗器械", "农业科技", "检测技术", "数字科技", "制药")
COMPANY_SUFFIX = ("有限公司", "股份有限公司", "集团有限公司", "有限责任公司")
PRODUCTS = ("植酸酶", "低温淀粉酶", "纤维素酶", "脂肪酶", "蛋白酶", "透明质酸", "胶原蛋白", "聚乳酸", "聚羟基脂肪酸酯", "丁二酸",
            "1,3-丙二醇", "赤藓糖醇", "阿洛酮糖", "母乳低聚糖", "角鲨烷", "麦角硫因", "虾青素", "天然色素", "维生素B12",
            "氨基酸", "燃料乙醇", "生物柴油", "生物航煤", "可降解塑料", "长链二元酸", "生物基尼龙", "多肽原料", "抗体片段",
            "核酸药物原料", "细胞培养肉", "微生物蛋白", "益生菌", "酵母提取物", "乳酸", "丙氨酸", "香兰素", "甜菊糖苷",
            "生物农药", "生物有机肥", "饲用酶制剂", "重组胶原", "依克多因", "人参皂苷", "紫杉醇前体", "青蒿酸", "乙醇梭菌蛋白")
TECHS = ("合成生物学", "连续发酵", "细胞工厂", "酶定向进化", "高通量筛选", "分离纯化", "无细胞合成", "人工智能蛋白设计",
         "代谢工程", "基因编辑", "膜分离", "喷雾干燥", "固态发酵", "微流控", "过程分析技术", "数字孪生", "工艺放大",
         "菌种构建", "植物细胞培养", "一碳气体发酵", "木质纤维素预处理", "生物催化", "电化学合成", "结晶提纯")
BIO_FIELDS = ("生物制造", "合成生物制造业", "生物医药", "生物基材料", "食品及添加剂", "化妆品原料", "生物能源", "酶制剂",
              "生物农业", "绿色化工")
OTHER_FIELDS = ("新能源汽车", "集成电路", "人工智能", "低空经济", "养老服务", "冬季供暖", "农村公路", "跨境电商", "数字政务",
                "文旅消费", "智能网联汽车", "工业互联网", "新型储能", "高端装备", "家政服务", "托育服务", "粮食安全",
                "水利工程", "城市更新", "职业教育", "老旧小区改造", "公共文化服务", "应急管理", "安全生产", "乡村振兴",
                "对外贸易", "服务业扩大开放", "科技金融", "知识产权保护", "数据要素", "海洋经济", "节能降碳")
PLATFORM_KINDS = ("中试平台", "生物制造中试平台", "中试基地", "概念验证中心", "公共技术服务平台", "产业创新中心",
                  "工程研究中心", "重点实验室", "技术创新中心", "制造业创新中心", "孵化器", "产业园")
ACTIONS = ("印发", "出台", "发布", "部署", "启动", "召开", "组织开展", "推进", "落实", "完善", "修订", "公布")
DOC_KINDS = ("通知", "实施意见", "指导意见", "行动方案", "工作方案", "管理办法", "若干措施", "实施细则", "三年行动计划")
GOALS = ("提升产业链供应链韧性", "加快关键核心技术攻关", "推动科技成果转化", "培育新质生产力", "促进中小企业专精特新发展",
         "扩大有效投资", "优化营商环境", "推动绿色低碳转型", "保障和改善民生", "提高公共服务水平", "强化要素保障",
         "促进区域协调发展", "推进高水平对外开放", "加强人才队伍建设", "完善标准体系", "健全统计监测制度")
MEASURES = ("给予一次性奖励", "按实际投资额给予补助", "优先纳入重点项目库", "给予贷款贴息", "落实研发费用加计扣除",
            "在用地指标上予以倾斜", "支持申报专项债券", "开展首台（套）保险补偿", "给予人才安居补贴", "提供融资担保",
            "纳入政府采购目录", "实行容缺受理", "开辟审批绿色通道", "开展试点示范")
UNITS = ("万吨", "吨", "立方米", "平方米", "台（套）", "个", "项", "家", "人次", "万千瓦时", "公里", "千升")
STOCK = ("现将有关事项通知如下：", "特此通知。", "请结合实际认真贯彻落实。", "请认真组织实施。", "现予公布。",
         "如有问题请及时反馈。", "本通知自印发之日起施行。", "各有关单位：")
QUOTE_PARTS = ("过去不少企业因为缺少中试条件，只能把成果锁在抽屉里", "实验室里能做出来的东西，放大以后往往就不灵了",
               "我们要把服务做到企业门口", "今年的订单已经排到了{month}月", "中试是成果转化的关键一环",
               "关键是要把{product}的工艺稳定下来", "政策落地以后，企业的积极性明显提高", "下一步还要在人才和资金上下功夫",
               "群众最关心的就是办事方便不方便", "我们的目标是让数据多跑路、群众少跑腿", "现在每一批{product}都能追溯到源头",
               "成本降下来，市场才打得开", "设备利用率比去年提高了{pct}", "这条生产线从设计到投产只用了{k}个月",
               "{year}年我们要再上{k}条生产线", "光是{tech}这一项，每年就能省下{money}")
CN_DIGITS = "一二三四五六七八九十"
SECTIONS = ("总体要求", "重点任务", "支持方向", "申报条件", "保障措施", "组织实施", "工作目标", "主要措施", "职责分工",
            "实施步骤", "监督管理", "附则", "基本原则", "发展目标", "政策支持", "工作要求")


def _read_tsv(name: str, column: str, where: tuple[str, str] | None = None) -> list[str]:
    """One column of a gazetteer table (zhtext/data/<name>.tsv), read at run time."""
    path = ROOT / "zhtext" / "data" / f"{name}.tsv"
    rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#")]
    header, rows = rows[0], rows[1:]
    col = header.index(column)
    keep = header.index(where[0]) if where else None
    return [r[col] for r in rows if len(r) > col and r[col] and (keep is None or r[keep] == where[1])]


@dataclass
class Vocabulary:
    provinces: list[str]
    cities: list[tuple[str, str]]  # (province, city)
    counties: list[str]
    zones: list[str]
    institutions: list[str]
    issuers: list[str]

    @classmethod
    def load(cls) -> Vocabulary:
        provinces = {code: name for code, name in zip(_read_tsv("provinces", "code"), _read_tsv("provinces", "name"),
                                                     strict=True) if int(code) < 710000}
        cities = [(provinces[p], c) for c, p in zip(_read_tsv("cities", "name"), _read_tsv("cities", "province_code"),
                                                     strict=True) if p in provinces]
        return cls(provinces=list(provinces.values()), cities=cities, counties=_read_tsv("counties", "name"),
                   zones=_read_tsv("zones", "name"), institutions=_read_tsv("institutions", "name"),
                   issuers=_read_tsv("issuers", "name", ("kind", "national")))


class TextGen:
    """Chinese sentences, paragraphs, bodies and titles, unique by composition. One instance per corpus (seeded)."""

    def __init__(self, vocab: Vocabulary, rnd: random.Random):
        self.v, self.r = vocab, rnd

    # slots
    def person(self) -> str:
        r = self.r
        return r.choice(SURNAMES) + "".join(r.choice(GIVEN) for _ in range(r.choice((1, 2, 2))))

    def place(self) -> str:
        prov, city = self.r.choice(self.v.cities)
        return city if prov in ("北京市", "天津市", "上海市", "重庆市") else prov + city

    def city(self) -> str:
        return self.r.choice(self.v.cities)[1]

    def company(self, city: str | None = None) -> str:
        r = self.r
        short = re.sub(r"(市|地区|自治州|盟)$", "", city or self.city())[:3]
        return short + r.choice(BRAND) + r.choice(BRAND) + r.choice(COMPANY_KINDS) + r.choice(COMPANY_SUFFIX)

    def org(self) -> str:
        return self.company() if self.r.random() < 0.6 else self.r.choice(self.v.institutions)

    def num(self, lo: int = 2, hi: int = 900) -> str:
        return str(self.r.randint(lo, hi))

    def money(self) -> str:
        r = self.r
        return (f"{r.randint(1, 300)}.{r.randint(1, 9)}亿元" if r.random() < 0.5 else f"{r.randint(50, 9800)}万元")

    def pct(self) -> str:
        return f"{self.r.randint(1, 60)}.{self.r.randint(0, 9)}%"

    def day(self) -> str:
        return f"{self.r.randint(2023, 2026)}年{self.r.randint(1, 12)}月{self.r.randint(1, 28)}日"

    def year(self) -> str:
        return str(self.r.randint(2025, 2030))

    def field(self, bio: bool | None = None) -> str:
        bio = self.r.random() < 0.4 if bio is None else bio
        return self.r.choice(BIO_FIELDS if bio else OTHER_FIELDS)

    def fill(self, pattern: str, ctx: dict[str, str]) -> str:
        r = self.r

        def slot(m: re.Match) -> str:
            name = m.group(1)
            if name in ctx and r.random() < 0.55:  # the article's own place, field, organisation… half the time
                return ctx[name]
            return {
                "place": self.place, "city": self.city, "county": lambda: r.choice(self.v.counties),
                "zone": lambda: r.choice(self.v.zones), "inst": lambda: r.choice(self.v.institutions),
                "company": self.company, "org": self.org, "person": self.person,
                "issuer": lambda: r.choice(self.v.issuers),
                "product": lambda: r.choice(PRODUCTS), "product2": lambda: r.choice(PRODUCTS),
                "tech": lambda: r.choice(TECHS), "field": self.field, "bio": lambda: self.field(True),
                "other": lambda: self.field(False), "platform": lambda: r.choice(PLATFORM_KINDS),
                "action": lambda: r.choice(ACTIONS), "doc": lambda: r.choice(DOC_KINDS),
                "goal": lambda: r.choice(GOALS),
                "measure": lambda: r.choice(MEASURES), "unit": lambda: r.choice(UNITS), "n": self.num,
                "k": lambda: self.num(2, 60), "big": lambda: self.num(1000, 98000), "money": self.money,
                "pct": self.pct, "date": self.day, "year": self.year, "month": lambda: str(r.randint(1, 12)),
                "quote": lambda: self.fill(r.choice(QUOTE_PARTS), {}),
                "phone": lambda: f"0{r.randint(10, 999)}-{r.randint(10**7, 10**8 - 1)}",
            }[name]()

        return re.sub(r"\{(\w+)\}", slot, pattern)

    def sentence(self, kind: str, ctx: dict[str, str]) -> str:
        if self.r.random() < 0.015:
            return self.r.choice(STOCK)
        return self.fill(self.r.choice(PATTERNS[kind]), ctx)

    def paragraph(self, kinds: tuple[str, ...], ctx: dict[str, str], n: tuple[int, int] = (2, 6)) -> str:
        return "".join(self.sentence(self.r.choice(kinds), ctx) for _ in range(self.r.randint(*n)))

    def context(self, bio: bool) -> dict[str, str]:
        city = self.city()
        return {"place": self.place(), "city": city, "company": self.company(city), "field": self.field(bio),
                "product": self.r.choice(PRODUCTS), "tech": self.r.choice(TECHS), "person": self.person(),
                "inst": self.r.choice(self.v.institutions), "zone": self.r.choice(self.v.zones)}


# Sentence patterns by kind. {slot}s are drawn per sentence (half the time from the article's context).
PATTERNS: dict[str, tuple[str, ...]] = {
    "news": (
        "{date}，{place}{field}项目集中签约仪式举行，{k}个项目总投资{money}。",
        "{company}投资{money}建设的年产{big}{unit}{product}项目在{zone}开工，预计{year}年建成投产。",
        "据{issuer}统计，{year}年前三季度{place}{field}规模以上企业营业收入{money}，同比增长{pct}。",
        "{inst}与{company}共建的{tech}联合实验室已累计申请发明专利{n}件，其中{k}件实现转化。",
        "记者从{place}{field}推进会上获悉，当地已形成{k}条重点产业链，集聚上下游企业{n}家。",
        "“{quote}，{quote}。”{company}负责人{person}说。",
        "{person}介绍，{quote}，目前企业正在{zone}筹建第二条生产线。",
        "在{zone}，{company}的{product}生产车间里，{k}条自动化生产线正满负荷运转。",
        "{place}今年计划实施{field}重点项目{n}个，年度计划投资{money}。",
        "截至{month}月底，{place}累计建成{platform}{k}个，服务企业{n}家次。",
        "该项目采用{tech}工艺，产品收率提高{pct}，能耗降低{pct}。",
        "{date}，{issuer}在{city}召开{field}工作现场会，总结推广{place}的经验做法。",
        "业内人士认为，{field}正处在从实验室走向规模化生产的关键阶段，{tech}和{tech}是突破口。",
        "{company}董事长{person}表示，公司将在{year}年前把{product}产能提高到{big}{unit}。",
        "{place}出台的{k}条措施中，有{n}条直接面向{field}企业，最高可获{money}支持。",
        "当天，{inst}{person}团队发布了{product}{tech}新成果，相关论文发表在国际期刊上。",
        "从{city}出发的首趟{field}专列{date}发车，货值约{money}。",
        "目前，{place}{field}从业人员超过{big}人，其中研发人员占比{pct}。",
        "{county}依托{zone}，引进{field}企业{k}家，带动当地{n}名群众就近就业。",
        "这是{place}今年落地的第{k}个{field}重大项目。",
        "{company}{date}发布公告称，拟投资{money}在{city}建设{product}研发和生产基地。",
        "活动现场，{k}家金融机构与{n}家{field}企业达成合作意向，意向融资{money}。",
    ),
    "policy": (
        "支持{zone}围绕{product}、{product2}等方向布局建设{platform}，对符合条件的项目{measure}，单个项目最高不超过{money}。",
        "到{year}年，{place}{field}产业规模力争突破{money}，培育{k}家以上营业收入超{n}亿元的龙头企业。",
        "鼓励{inst}、{company}等单位联合开展{tech}等关键技术攻关，对承担国家级项目的给予{money}配套支持。",
        "各地要结合本地区实际，制定{field}具体实施方案，于{date}前报送{issuer}。",
        "建立健全{field}统计监测制度，每季度末{k}日内报送工作进展情况。",
        "对新认定的{platform}，{measure}，所需资金从{year}年省级专项资金中列支。",
        "加强{field}人才队伍建设，每年培训专业技术人员{big}人次以上。",
        "推动{field}与{other}融合发展，打造{k}个以上特色产业集群。",
        "完善{field}标准体系，{year}年前制修订国家标准和行业标准{n}项。",
        "各级{issuer}要会同有关部门加强统筹协调，及时研究解决{field}发展中的重大问题。",
        "{place}要严格落实安全生产责任，对{field}项目实行清单化管理、闭环式推进，{year}年底前完成{k}项整改。",
        "申报单位应为在{place}注册、具有独立法人资格的企业或事业单位，近三年研发投入占营业收入比例不低于{pct}。",
        "对年度考核优秀的{platform}，{measure}，考核不合格的限期{k}个月内整改。",
        "发挥{issuer}牵头作用，建立跨部门协同推进机制，形成工作合力，{goal}。",
        "围绕{goal}，{year}年完成{field}领域投资{money}，新增就业岗位{big}个。",
        "加快推进{county}{field}项目建设，力争{year}年底前建成投用，新增{product}产能{big}{unit}。",
        "联系人及电话：{issuer}{person}，{phone}。",
        "统筹用好中央预算内投资、地方政府专项债券等资金渠道，支持{place}{field}重大项目建设，{year}年安排资金{money}。",
        "鼓励金融机构开发适合{field}企业特点的信贷产品，{year}年相关贷款余额达到{money}。",
        "推广“{tech}+{platform}”模式，提升{field}中试验证和成果转化能力。",
        "各地推荐的项目数量原则上不超过{k}个，推荐材料一式{k}份。",
    ),
    "bio": (
        "{company}新建的发酵车间配置{k}升至{big}升不同规格的发酵罐，可开展{product}、{product2}等产品的规模化生产。",
        "企业聚焦{product}和{product2}两大方向，建有{k}条生产线，今年以来已签约客户{n}家。",
        "{company}利用{tech}技术，将{product}的生产周期从{k}天缩短到{k}天，生产成本下降{pct}。",
        "{zone}的公共技术服务机构可为中小企业提供从菌种构建、工艺优化到{product}放大生产的全流程服务。",
        "{place}将{bio}列为重点培育的战略性新兴产业，设立总规模{money}的产业引导基金。",
        "企业可以按批次租用{company}的设备和技术团队，研发周期有望从一年以上缩短到{k}个月。",
        "{zone}已集聚合成生物企业{n}家，形成从菌种研发到终端产品的完整链条。",
        "以{product}为代表的生物基产品正加快替代传统石化产品，年产值突破{money}。",
        "{inst}{person}教授团队通过{tech}，使{product}发酵产量达到每升{n}克。",
        "{year}年{place}{bio}领域新增发明专利{n}件，技术合同成交额{money}。",
    ),
    "announce": (
        "{date}，{inst}与{company}共同建设的{bio}中试平台在{place}{zone}正式启用。",
        "经地方推荐、专家评审、现场核查和网上公示，确定{k}个平台为{year}年度{place}生物制造中试能力建设平台。",
        "{company}牵头建设的{bio}中试平台（{place}）入选首批生物制造中试能力建设平台名单。",
        "{inst}牵头建设的{product}生物制造中试平台（{place}）通过认定，获得{money}支持。",
        "该平台是{place}首个面向社会开放的{bio}中试公共服务平台，总建筑面积约{big}平方米。",
        "平台聚焦{product}和{product2}两大方向，建有{k}个中试车间，试运行期间已服务企业{n}家。",
        "{inst}牵头建设的{bio}中试平台配置{k}升至{big}升不同规格的发酵罐，可开展{product}、{product2}等产品的工艺放大。",
        "入选平台要坚持开放共享，完善服务规则和收费标准，每年{month}月底前报送上一年度运行情况。",
        "名单内的{k}个中试平台将纳入{issuer}重点支持范围，实行动态评估，评估周期为{k}年。",
    ),
}


# --- boilerplate --------------------------------------------------------------------------------------------------

DOC_EXT = r"pdf|docx?|xlsx?|wps|et"
_DOC_HREF = re.compile(rf"""(href\s*=\s*["']?)[^"'\s>]*\.(?:{DOC_EXT})(?=["'\s>])""", re.I)
# the real pages each site's blocks come from first (all pages serve as a fallback pool)
HOST_FIXTURES = {
    "www.news.cn": ("xinhua", "other/people", "other/finance_qq"),
    "www.stdaily.com": ("other/people", "other/finance_qq", "xinhua"),
    "www.miit.gov.cn": ("miit",),
    "www.ndrc.gov.cn": ("ndrc", "other/fgw_zj"),
    "www.gov.cn": ("govcn/govcn_gongbao", "other/shanxi", "other/fgw_zj"),
}


@dataclass
class Blocks:
    """Boilerplate blocks by where they go: head (scripts, styles, link/meta lines), nav (menus and link lists before
    the article), side (link lists and tables after it), foot (footers and trailing scripts)."""

    head: list[str] = field(default_factory=list)
    nav: list[str] = field(default_factory=list)
    side: list[str] = field(default_factory=list)
    foot: list[str] = field(default_factory=list)
    origin: str = "synthetic"

    def __bool__(self) -> bool:
        return bool(self.head and self.nav and self.foot)


def _real_pages() -> list[tuple[str, str]]:
    """(relative name, text) of the real pages in ../shared/fixtures-real (whole pages only; the GBK copies are
    re-encodings of pages that are also there in UTF-8)."""
    index = FIXTURES_REAL / "INDEX.json"
    if not index.is_file():
        return []
    pages = []
    for entry in json.loads(index.read_text(encoding="utf-8")):
        if "fragment" in entry.get("page_type", "") or entry["file"].startswith("derived"):
            continue
        raw = (FIXTURES_REAL / entry["file"]).read_bytes()
        pages.append((entry["file"], raw.decode(entry.get("byte_encoding") or "utf-8", errors="replace")))
    return pages


def harvest_blocks(pages: list[tuple[str, str]]) -> Blocks:
    """Cut the boilerplate blocks out of real pages with lxml: head scripts/styles/links, link-dense lists, tables and
    divs (navigation, sidebars: more than 60 % of their text in links, at least 5 links), footers (class or id with
    foot/bottom/copyright), and the scripts of the body. Blocks over 16 KB (one page inlines 180 KB of CSS) are left."""
    import lxml.html

    blocks = Blocks(origin="real")
    for name, text in pages:
        try:
            root = lxml.html.document_fromstring(text)
        except Exception:  # noqa: BLE001 - a page lxml cannot read gives no blocks
            continue
        tag = f"<!-- {name.split('/')[-1][:40]} -->"

        def keep(el, into: list[str], tag: str = tag) -> None:
            html = lxml.html.tostring(el, encoding="unicode", with_tail=False)
            if 80 <= len(html) <= 16_000:
                into.append(tag + _DOC_HREF.sub(r"\1#", html))

        for el in root.iter("script", "style", "link", "meta"):
            if el.tag == "meta" and (el.get("charset") or el.get("http-equiv")):
                continue  # the template declares its own encoding
            in_head = any(a.tag == "head" for a in el.iterancestors())
            keep(el, blocks.head if in_head else blocks.foot)
        for el in root.iter("ul", "ol", "dl", "table", "div"):
            links = el.findall(".//a")
            text_all = el.text_content().strip()
            text_links = sum(len(a.text_content().strip()) for a in links)
            marker = f"{el.get('class', '')} {el.get('id', '')}".lower()
            if re.search(r"foot|bottom|copyright|banquan", marker):
                keep(el, blocks.foot)
            elif len(links) >= 5 and text_all and text_links / len(text_all) > 0.6 and el.find(".//div") is None:
                keep(el, blocks.nav if len(blocks.nav) <= len(blocks.side) else blocks.side)
    return blocks


def synthetic_blocks(rnd: random.Random) -> Blocks:
    """Boilerplate of the same kinds, generated, for when ../shared/fixtures-real is absent."""
    channels = ("首页 要闻 时政 国际 财经 科技 地方 健康 教育 文化 体育 军事 法治 社会 评论 视频 图片 专题 English "
                "政务公开 政务服务 互动交流 数据发布 政策解读 新闻发布 领导信息 机构设置 统计数据").split()
    blocks = Blocks(origin="synthetic")
    for i in range(40):
        loaders = "".join(
            f'(function(w,d){{var s=d.createElement("script");s.src="/js/m{j}.js?v={rnd.randint(1, 999)}";'
            'd.getElementsByTagName("head")[0].appendChild(s);})(window,document);'
            for j in range(rnd.randint(3, 30)))
        blocks.head.append(f'<script type="text/javascript">var _pw{i} = {{"channel": "{rnd.choice(channels)}", '
                           f'"id": {rnd.randint(1, 10**7)}}};{loaders}</script>')
        rules = "".join(f".c{i}_{j}{{margin:{j}px {rnd.randint(0, 20)}px;color:#{rnd.getrandbits(24):06x};"
                        f"font-size:{rnd.randint(12, 18)}px}}" for j in range(rnd.randint(10, 80)))
        blocks.head.append(f"<style>{rules}</style>")
        items = "".join(f'<li><a href="/{rnd.choice(channels)}/{rnd.randint(1, 999)}/" target="_blank">'
                        f"{rnd.choice(channels)}{rnd.choice(channels)}</a></li>" for _ in range(rnd.randint(8, 60)))
        (blocks.nav if i % 2 else blocks.side).append(f'<ul class="nav{i}">{items}</ul>')
        links = " | ".join(f'<a href="/about/{j}.htm">{rnd.choice(channels)}</a>' for j in range(rnd.randint(4, 20)))
        blocks.foot.append(f'<div class="footer{i}"><p>{links}</p><p>版权所有 网站标识码{rnd.randint(10**9, 10**10)} '
                           f"京ICP备{rnd.randint(10**7, 10**8)}号</p></div>")
    return blocks


# --- attachments --------------------------------------------------------------------------------------------------

def pdf_bytes(lines: list[str]) -> bytes:
    """A minimal PDF 1.4 whose text pypdf extracts as written: a Type0 font (Identity-H) with a ToUnicode CMap mapping
    each 2-byte code to the same code point, 45 lines a page, Flate-compressed content."""
    chars = sorted(set("".join(lines)) | {" "})
    bf = []
    for i in range(0, len(chars), 100):  # at most 100 entries per bfchar block
        chunk = chars[i:i + 100]
        bf.append(f"{len(chunk)} beginbfchar\n" + "".join(f"<{ord(c):04X}> <{ord(c):04X}>\n" for c in chunk)
                  + "endbfchar\n")
    cmap = ("/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
            "/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n"
            "1 begincodespacerange <0000> <FFFF> endcodespacerange\n" + "".join(bf)
            + "endcmap CMapName currentdict /CMap defineresource pop end end\n").encode()

    def stream(data: bytes) -> bytes:
        packed = zlib.compress(data, 6)
        return b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed + b"\nendstream"

    objs = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        3: b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /Identity-H "
           b"/DescendantFonts [4 0 R] /ToUnicode 5 0 R >>",
        4: b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) "
           b"/Ordering (Identity) /Supplement 0 >> /FontDescriptor 6 0 R /DW 1000 >>",
        5: stream(cmap),
        6: b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 4 /FontBBox [0 -200 1000 900] /ItalicAngle 0 "
           b"/Ascent 880 /Descent -120 /CapHeight 880 /StemV 80 >>",
    }
    kids, number = [], 7
    for start in range(0, max(len(lines), 1), 45):
        ops = [b"BT /F1 10 Tf 14 TL 40 800 Td"]
        for line in lines[start:start + 45]:
            ops.append(b"<" + line.encode("utf-16-be").hex().upper().encode() + b"> Tj T*")
        ops.append(b"ET")
        objs[number + 1] = stream(b"\n".join(ops))
        objs[number] = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> "
                        b"/Contents %d 0 R >>" % (number + 1))
        kids.append(number)
        number += 2
    objs[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    size = max(objs) + 1
    offsets = [0] * size
    for num in sorted(objs):
        offsets[num] = out.tell()
        out.write(b"%d 0 obj\n" % num + objs[num] + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % size)
    for num in range(1, size):
        out.write(b"%010d 00000 n \n" % offsets[num])
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref))
    return out.getvalue()


def xlsx_bytes(title: str, header: list[str], rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "名单"
    ws.append([title])
    ws.append(header)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- pages --------------------------------------------------------------------------------------------------------

BODY_OPEN = re.compile(r'<(\w+)[^>]*\b(?:id="(?:detail|con_con|UCAP-CONTENT)"|class="(?:content|TRS_Editor)")[^>]*>')
OFFICIAL = ("www.miit.gov.cn", "www.ndrc.gov.cn", "www.gov.cn")


def element_span(html: str, open_match: re.Match) -> tuple[int, int]:
    """(start of the inner HTML, start of the closing tag) of the element whose start tag is `open_match`."""
    tag = open_match.group(1).lower()
    depth, pos = 1, open_match.end()
    pattern = re.compile(rf"<(/?){tag}\b[^>]*>", re.I)
    while depth:
        m = pattern.search(html, pos)
        if m is None:
            raise ValueError(f"unclosed <{tag}>")
        depth += -1 if m.group(1) else 1
        pos = m.end()
    return open_match.end(), m.start()


@dataclass
class Template:
    host: str
    path: str
    html: str
    title: str
    encoding: str
    doc_prefix: str  # the 文号's issuer prefix (工信部联消费), "" for news
    date: str  # YYYY-MM-DD HH:MM:SS of the template (list dates)


@dataclass
class Item:
    """One generated article page: where it is served and what it holds."""

    host: str
    path: str
    title: str
    date: str  # publication time shown in lists
    day: int  # index of the day it is first listed
    kind: str
    body_chars: int
    page_bytes: int
    attachments: list[str] = field(default_factory=list)  # paths on the same host


def body_length(rnd: random.Random) -> int:
    """Characters of a body: log-normal, median 2,600, most 1–5 k, a tail cut at 20 k (and at least 400)."""
    return int(min(20_000, max(400, rnd.lognormvariate(math.log(2600), 0.75))))


def new_path(host: str, template: str, serial: int, day: date, rnd: random.Random) -> str:
    """A fresh article path of the template's shape (what the host's article_pattern expects)."""
    ymd, hex32 = day.strftime("%Y%m%d"), f"{rnd.getrandbits(128):032x}"
    if host == "www.news.cn":
        return f"/tech/{ymd}/{hex32}/c.html"
    if host == "www.stdaily.com":
        return f"/web/gdxw/{day.strftime('%Y-%m/%d')}/content_{3_000_000 + serial}.html"
    if host == "www.miit.gov.cn":
        return f"/jgsj/xfpgys/wjfb/art/{ymd[:4]}/art_{hex32}.html"
    if host == "www.ndrc.gov.cn":
        return f"/xxgk/zcfb/tz/{ymd[:6]}/t{ymd}_{2_500_000 + serial}.html"
    if host == "www.gov.cn":
        kind = template.split("/")[2]
        return f"/zhengce/{kind}/{ymd[:6]}/content_{9_000_000 + serial}.htm"
    raise ValueError(host)


class Corpus:
    """The sample site copied to `root` and grown with generated days of articles."""

    def __init__(self, root: Path, seed: int = 7, attachment_share: float = 0.15, use_real: bool = True):
        import crawler
        from pilotwatch import sample_server

        self.root, self.attachment_share = root, attachment_share
        self.rnd = random.Random(seed)
        self.text = TextGen(Vocabulary.load(), self.rnd)
        real = _real_pages() if use_real else []
        self.blocks = harvest_blocks(real) if real else Blocks()
        self.host_blocks: dict[str, Blocks] = {}
        if self.blocks:
            for host, prefixes in HOST_FIXTURES.items():
                mine = harvest_blocks([p for p in real if p[0].startswith(prefixes)])
                self.host_blocks[host] = mine if mine else self.blocks
        else:
            self.blocks = synthetic_blocks(self.rnd)
        shutil.copytree(sample_server.sample_site_root(), root)
        self.sources = {s.host: s for s in crawler.load_sources()}
        cases = json.loads((ROOT / "tests" / "fixtures" / "sample_expected.json").read_text(encoding="utf-8"))
        self.templates: list[Template] = []
        self.originals: list[Item] = []
        for case in cases:
            source, path = self.sources[case["host"]], case["path"]
            raw = (root / case["host"] / path.lstrip("/")).read_bytes()
            decoded = crawler.decode(raw, "text/html")
            parsed = crawler.parse_article(decoded.text, source.base + path, source.parse)
            when = (parsed.published_at or "2025-01-01")[:19].replace("T", " ")
            html = re.sub(r'<div class="fujian">.*?</div>', "", decoded.text, flags=re.S)
            html = re.sub(r'<table class="enclosure">.*?</table>', "", html, flags=re.S)
            html = _DOC_HREF.sub(r"\1#", html)
            prefix = re.search(r"([\u4e00-\u9fff]+)〔\d{4}〕\d+号", decoded.text)
            self.templates.append(Template(case["host"], path, html, parsed.title, decoded.encoding,
                                           prefix.group(1) if prefix and case["host"] in OFFICIAL else "", when))
            self.originals.append(Item(case["host"], path, parsed.title, when, 0, "original", len(parsed.body),
                                       len(raw)))
        self.serial = 0  # pages made
        self.checked: set[str] = set()

    # -- text --
    def body(self, host: str, kind: str, title: str, doc_number: str, chars: int) -> list[str]:
        """The paragraphs of a body of about `chars` characters."""
        t, r = self.text, self.rnd
        bio = kind in ("bio", "announce")
        ctx = t.context(bio)
        kinds = {"bio": ("bio", "bio", "news", "policy"), "announce": ("announce", "bio", "bio", "news"),
                 "other": ("news", "policy", "news")}[kind]
        paras: list[str] = []
        if host in OFFICIAL:
            issuer = r.choice(t.v.issuers)
            kinds = tuple("policy" if k == "news" else k for k in kinds) + ("policy",)
            paras += [doc_number] if doc_number else []
            paras += [r.choice(("各省、自治区、直辖市人民政府，国务院各部委、各直属机构：",
                                             "各省、自治区、直辖市及计划单列市、新疆生产建设兵团有关主管部门：",
                                             f"{t.place()}人民政府，各有关单位："))]
            paras.append(t.fill("为贯彻落实党中央、国务院决策部署，{goal}，推动{field}高质量发展，现就有关事项通知如下。", ctx))
            total, section = sum(map(len, paras)), 0
            while total < chars:
                if r.random() < 0.25 and section < len(CN_DIGITS):
                    paras.append(f"{CN_DIGITS[section]}、{r.choice(SECTIONS)}")
                    section += 1
                item = f"（{CN_DIGITS[r.randint(0, 9)]}）" if r.random() < 0.5 else ""
                paras.append(item + t.paragraph(kinds, ctx))
                total += len(paras[-1])
            paras += [issuer, t.day()]
        else:
            lead = (f"新华社{re.sub(r'(市|地区|自治州|盟)$', '', ctx['city'])}{r.randint(1, 12)}月{r.randint(1, 28)}日电"
                    f"（记者{t.person()}）" if host == "www.news.cn" else f"科技日报记者 {t.person()} 通讯员 {t.person()}")
            paras.append(lead + t.paragraph(kinds, ctx, (2, 3)))
            total = len(paras[0])
            while total < chars:
                paras.append(t.paragraph(kinds, ctx))
                total += len(paras[-1])
        return paras

    def title(self, host: str, kind: str) -> str:
        t, r = self.text, self.rnd
        ctx = t.context(kind != "other")
        if host in OFFICIAL:
            forms = ("{issuer}关于{action}{field}{doc}的通知", "{issuer}关于推动{field}高质量发展的{doc}",
                     "{place}{field}{doc}（{year}—{year}年）", "关于{goal}支持{field}发展的{doc}")
            if kind == "announce":
                forms = ("{issuer}关于公布{year}年度生物制造中试能力建设平台名单的通知",
                         "关于{place}{bio}中试平台认定结果的公示", "{issuer}关于开展{bio}中试能力建设平台培育工作的通知")
        else:
            forms = ("{place}：{product}项目投产 年产能{big}{unit}", "{company}{action}{field}新举措",
                     "{place}{field}产业规模突破{money}", "{inst}{tech}取得新进展", "{city}{k}个{field}项目集中开工",
                     "记者观察：{place}如何{goal}")
            if kind == "announce":
                forms = ("{place}首个{bio}中试平台启用", "{inst}{bio}中试平台入选国家名单",
                         "{place}公布首批{k}家生物制造中试平台")
        return t.fill(r.choice(forms), ctx)

    def attachment_rows(self, kind: str, n: int) -> tuple[str, list[str], list[list[str]]]:
        """(label, header, rows) of an attachment's table: a platform list for announcements, a project list for
        biomanufacturing items, a division of tasks for the rest."""
        t, r = self.text, self.rnd
        rows = []
        if kind == "announce":
            header = ["序号", "牵头单位", "平台名称", "所在地区", "领域", "备注"]
            for i in range(1, n + 1):
                rows.append([str(i), t.company() if r.random() < 0.6 else r.choice(t.v.institutions),
                             f"{r.choice(PRODUCTS)}{r.choice(PLATFORM_KINDS)}", t.place(), t.field(True),
                             r.choice(("", "", "新建", "续建"))])
            return t.fill(r.choice(("{year}年度{bio}中试平台名单", "{place}{platform}推荐汇总表")), {}), header, rows
        if kind == "bio":
            header = ["序号", "项目名称", "承担单位", "所在地区", "总投资（万元）", "建设内容"]
            for i in range(1, n + 1):
                product = r.choice(PRODUCTS)
                rows.append([str(i), f"年产{t.num(1, 50)}{r.choice(UNITS)}{product}项目", t.company(), t.place(),
                             t.num(500, 90000), f"建设{product}生产线及{r.choice(TECHS)}配套设施"])
            return t.fill(r.choice(("{year}年{place}{bio}重点项目清单", "{bio}产业链重点项目表")), {}), header, rows
        header = ["序号", "重点任务", "牵头单位", "配合单位", "完成时限"]
        for i in range(1, n + 1):
            rows.append([str(i), t.fill(r.choice(("{goal}", "{measure}", "推进{other}项目建设", "完善{other}标准")), {}),
                         r.choice(t.v.issuers), r.choice(t.v.issuers), f"{t.year()}年{r.randint(1, 12)}月底前"])
        return t.fill(r.choice(("重点任务分工表", "{other}工作台账", "申报书及填报说明")), {}), header, rows

    # -- pages --
    def pad(self, host: str, html: str, target: int) -> str:
        """Insert boilerplate blocks (head, nav, side, foot) until the page has about `target` bytes."""
        r = self.rnd
        blocks = self.host_blocks.get(host) or self.blocks
        need = max(target - len(html.encode("utf-8")), 12_000)  # every real page carries its menus and scripts
        parts: dict[str, list[str]] = {"head": [], "nav": [], "side": [], "foot": []}
        shares = (("head", 0.3), ("nav", 0.3), ("side", 0.2), ("foot", 0.2))
        for where, share in shares:
            pool = getattr(blocks, where) or getattr(self.blocks, where) or blocks.nav
            got = 0
            while got < need * share and pool:
                block = r.choice(pool)
                parts[where].append(block)
                got += len(block.encode("utf-8"))
        head = html.find("</head>")
        html = html[:head] + "\n".join(parts["head"]) + "\n" + html[head:]
        body = re.search(r"<body[^>]*>", html)
        html = html[:body.end()] + '\n<div class="pw-nav">' + "\n".join(parts["nav"]) + "</div>\n" + html[body.end():]
        end = html.rfind("</body>")
        return (html[:end] + '<div class="pw-side">' + "\n".join(parts["side"]) + "</div>\n"
                + '<div class="pw-foot">' + "\n".join(parts["foot"]) + "</div>\n" + html[end:])

    def page(self, template: Template, path: str, kind: str) -> tuple[bytes, Item, dict[str, bytes]]:
        """(page bytes, its item, {attachment path: bytes}) for one new article on `template`."""
        r = self.rnd
        self.serial += 1
        title = self.title(template.host, kind)
        year = template.date[:4]
        doc_number = f"{template.doc_prefix}〔{year}〕{10_000 + self.serial}号" if template.doc_prefix else ""
        chars = body_length(r)
        paras = self.body(template.host, kind, title, doc_number, chars)
        files: dict[str, bytes] = {}
        links: list[tuple[str, str]] = []
        if r.random() < self.attachment_share:
            folder = path.rsplit("/", 1)[0]
            for _ in range(r.choices((1, 2, 3), (70, 25, 5))[0]):
                ext = "pdf" if r.random() < 0.6 else "xlsx"
                name = f"{folder}/P0{r.getrandbits(60):018d}.{ext}"[:200]
                label, header, rows = self.attachment_rows(kind, r.randint(10, 150))
                if ext == "pdf":
                    files[name] = pdf_bytes([label, "  ".join(header)] + ["  ".join(row) for row in rows])
                else:
                    files[name] = xlsx_bytes(label, header, rows)
                links.append((name, f"{label}.{ext}"))
        encoding = "gbk" if template.encoding == "gb18030" else template.encoding

        def esc(s: str) -> str:
            return s.replace("&", "&amp;").replace("<", "&lt;")

        inner = "\n".join(f'<p style="text-indent: 2em;">{esc(p)}</p>' for p in paras)
        if links and template.host not in OFFICIAL:
            inner += "\n" + "\n".join(f'<p>附件：<a href="{u}">{esc(label)}</a></p>' for u, label in links)
        html = template.html
        body = BODY_OPEN.search(html)
        start, end = element_span(html, body)
        after = ""
        if links and template.host in OFFICIAL and body.group(1).lower() == "td":  # gov.cn's table layout: in the text
            inner += "\n" + "\n".join(f'<p>附件：<a href="{u}">{esc(label)}</a></p>' for u, label in links)
        elif links and template.host in OFFICIAL:
            anchors = "".join(f'<a href="{u}" target="_blank">{esc(label)}</a><br>' for u, label in links)
            after = (f'<table class="enclosure"><tr><td>附件：</td><td>{anchors}</td></tr></table>'
                     if template.host == "www.ndrc.gov.cn" else f'<div class="fujian"><span>附件：</span>{anchors}</div>')
        close = html.index(">", end) + 1
        html = html[:start] + "\n" + inner + "\n" + html[end:close] + after + html[close:]
        html = html.replace(template.title, esc(title))
        html = re.sub(r"〔(\d{4})〕(\d{1,5})号", lambda m: f"〔{m.group(1)}〕{10_000 + self.serial}号", html)
        html = self.pad(template.host, html, r.randint(30_000, 100_000))
        raw = html.encode(encoding, errors="xmlcharrefreplace")
        body_chars = sum(map(len, paras))
        item = Item(template.host, path, title, template.date, -1, kind, body_chars, len(raw), [u for u, _ in links])
        return raw, item, files

    def check(self, template: Template, raw: bytes, item: Item) -> None:
        """The first page of each template must parse as meant: its title, nearly all its body, its attachments."""
        import crawler

        source = self.sources[template.host]
        url = source.base + item.path
        decoded = crawler.decode(raw, "text/html")
        parsed = crawler.parse_article(decoded.text, url, source.parse)
        assert source.is_article(url), url
        assert parsed.title == item.title, (template.path, parsed.title, item.title)
        assert len(parsed.body) >= 0.95 * item.body_chars, (template.path, len(parsed.body), item.body_chars)
        found = {urlsplit(a.url).path for a in crawler.find_attachments(decoded.text, url)}
        assert found == set(item.attachments), (template.path, found, item.attachments)

    def add_day(self, day: date, n: int, day_index: int, kinds: dict[str, float] | None = None) -> list[Item]:
        """n new article pages of day `day` (files written), spread over the five hosts' templates in turn."""
        kinds = kinds or {"announce": 0.04, "bio": 0.3, "other": 0.66}
        items = []
        for _ in range(n):
            template = self.templates[self.serial % len(self.templates)]  # in turn: each host gets a fifth
            kind = self.rnd.choices(list(kinds), list(kinds.values()))[0]
            path = new_path(template.host, template.path, self.serial + 1, day, self.rnd)
            raw, item, files = self.page(template, path, kind)
            if template.path not in self.checked or (item.attachments and len(self.checked) < 20):
                self.check(template, raw, item)
                self.checked.add(template.path if template.path not in self.checked else item.path)
            item.day = day_index
            item.date = f"{day.isoformat()} {self.rnd.randint(8, 20):02d}:{self.rnd.randint(0, 59):02d}:00"
            target = self.root / template.host / path.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(raw)
            for name, content in files.items():
                (self.root / template.host / name.lstrip("/")).write_bytes(content)
            items.append(item)
        return items


# --- lists --------------------------------------------------------------------------------------------------------

def _replace_once(text: str, pattern: str, inner: str) -> str:
    new, n = re.subn(pattern, lambda m: m.group(1) + inner + m.group(3), text, count=1, flags=re.S)
    if n != 1:
        raise RuntimeError(f"list template changed: {pattern!r} not found")
    return new


def write_lists(root: Path, items: dict[str, list[Item]]) -> dict[str, int]:
    """Every host's primary list links exactly `items[host]` (newest first); sizes by host. The sample site's other
    lists (Xinhua's other channels, NDRC's other columns, MIIT's search API, gov.cn's interpretations) stay as they
    are: they cross-list the ten original articles."""
    def esc(s: str) -> str:
        return s.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")

    rows = {host: sorted(v, key=lambda it: it.date, reverse=True) for host, v in items.items()}
    news = [{"title": it.title, "publishUrl": it.path, "publishTime": it.date, "contentId": it.path.split("/")[3],
             "summary": "", "author": "", "keywords": "", "sourceText": "新华网", "shareImages": [], "contentType": 1}
            for it in rows.get("www.news.cn", [])]
    (root / "www.news.cn/tech/ds_fd79514d92f34849bc8baef7ce3d5aae.json").write_text(
        json.dumps({"status": 0, "message": "success", "totalnum": len(news), "datasource": news}, ensure_ascii=False,
                   indent=1), encoding="utf-8")

    page = root / "www.stdaily.com/web/rdxw/node_327.html"
    dls = "".join(f'\n    <dl>\n      <dt><a href="{it.path}" target="_blank">'
                  '<img src="/web/rdxw/images/x_s.jpg" alt=""></a></dt>'
                  f'\n      <dd>\n        <h3><a href="{it.path}" target="_blank">{esc(it.title)}</a></h3>'
                  f'\n        <p>{esc(it.title)}</p>'
                  f'\n        <div class="sourthTime"><span>科技日报</span> | <span>{it.date[:16]}</span></div>'
                  '\n      </dd>\n    </dl>' for it in rows.get("www.stdaily.com", []))
    page.write_text(_replace_once(page.read_text(encoding="utf-8"), r'(<div class="f_lieb_list">)(.*?)(\n  </div>)',
                                  dls), encoding="utf-8")

    lis = "".join(f'<li><a href="{it.path}" title="{esc(it.title)}" target="_blank">{esc(it.title)}</a>'
                  f'<span class="fr">{it.date[:10]}</span></li>' for it in rows.get("www.miit.gov.cn", []))
    (root / "www.miit.gov.cn/api-gateway/jpaas-publish-server/front/page/build/unit").write_text(json.dumps(
        {"success": True, "code": 200, "message": "操作成功", "data": {
            "html": f'<div class="page-content"><ul>{lis}</ul></div>'
                    '<div class="page-box"><span class="cur">1</span></div>',
            "pageNo": 1, "pageSize": len(rows.get("www.miit.gov.cn", [])),
            "total": len(rows.get("www.miit.gov.cn", []))}},
        ensure_ascii=False), encoding="utf-8")

    page = root / "www.ndrc.gov.cn/xxgk/zcfb/tz/index.html"
    lis = "".join(f'\n      <li><a href=".{it.path[len("/xxgk/zcfb/tz"):]}" title="{esc(it.title)}" target="_blank">'
                  f'{esc(it.title)}</a><span>{it.date[:10].replace("-", "/")}</span></li>'
                  for it in rows.get("www.ndrc.gov.cn", []))
    page.write_text(_replace_once(page.read_text(encoding="utf-8"), r'(<ul class="u-list">)(.*?)(</ul>)',
                                  lis + "\n    "), encoding="utf-8")

    gov = [{"TITLE": it.title, "SUB_TITLE": "", "URL": "https://www.gov.cn" + it.path, "DOCRELPUBTIME": it.date[:10]}
           for it in rows.get("www.gov.cn", [])]
    (root / "www.gov.cn/zhengce/zuixin/ZUIXINZHENGCE.json").write_text(json.dumps(gov, ensure_ascii=False, indent=1),
                                                                       encoding="utf-8")
    return {host: len(v) for host, v in rows.items()}
