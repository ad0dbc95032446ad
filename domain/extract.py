"""Proposing a plan's commitments from its text: rule-based extraction of Chinese number phrases.

Pure: text and catalog in, candidates out; no store, no I/O. Every candidate carries its verbatim
clause (`quote`, found at `start` in the text it was given) so a person can accept, correct or drop
it beside the sentence. The rules read the phrases plans are written in — 到20XX年…达到 X 亿元,
年均增长 X% 以上, 占全国…比重 X%, X 亿元以上企业 N 家, 每年…X 人次, 新增/累计, 其中, 分别,
（X、Y 负责）— and never a seed's own words; indicator words come from the catalog (the
`terms_zh` of data/indicators.yaml and each indicator's name), scopes from its organisations.

No segmenter: the phrases are anchored on numbers and units, which a regular expression finds
exactly; a word segmenter (jieba, last released 2020) would add a dictionary and split the unit
words plans write (亿元, 万平方米) in ways the rules would then have to undo.

`matches` says whether a candidate proposes a catalog item (bench/extract.py, tests).
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from domain.catalog import Catalog
from domain.models import Amount, Frozen, Incentive, OrgKind, Target, TargetKind, Task
from domain.units import UNITS, Dimension, convert

INCENTIVE = "incentive"
TASK = "task"
KINDS = (*(k.value for k in TargetKind), INCENTIVE, TASK)


class Candidate(Frozen):
    quote: str  # verbatim substring of the text: the clause that states it
    start: int  # its offset in the text
    kind: str  # a TargetKind value, "incentive" or "task"
    indicator: str | None = None
    scope: str | None = None  # an org_id where known
    scope_name: str | None = None  # words naming a scope not in the catalog (…特色园, …区)
    comparator: str | None = None  # a Comparator value
    value: float | None = None
    unit: str | None = None
    base_year: int | None = None
    target_year: int | None = None
    first_year: int | None = None  # yearly quotas, cumulative and programme counts: the first year counted
    threshold: Amount | None = None  # threshold_count and incentive: 超亿元 → Amount(1, '亿元')
    denominator_scope: str | None = None  # share: whose total it is a share of
    denominator_indicator: str | None = None  # share/density: the indicator divided into it, where named
    reward: Amount | None = None  # incentive
    lead_departments: tuple[str, ...] = ()  # task
    text: str | None = None  # task: its own words

    @property
    def end(self) -> int:
        return self.start + len(self.quote)


class Proposal(Frozen):
    title_zh: str | None = None
    issuer_zh: str | None = None
    issued: dt.date | None = None
    base_year: int | None = None
    horizon_end: int | None = None
    candidates: tuple[Candidate, ...] = ()


# ------------------------------------------------------------------------------- the phrases

_D = "[0-9０-９]"
# At most 15 digits, begun where a run of digits begins: 100 000 digits in a row cost one try each, not n².
_NUM = rf"(?<![0-9０-９.．]){_D}{{1,15}}(?:[.．]{_D}{{1,6}})?"
# Longest first, so 万元 is never read as 元 and 万人次 never as 万人.
_UNIT_WORDS = ("万亿元", "亿美元", "万美元", "亿元/公顷", "万元/公顷", "亿元", "万元", "元", "万人次", "人次", "万人",
               "万名", "万平方米", "平方米", "万m²", "m²", "平方公里", "公顷", "亩", "人", "名", "家", "个", "项", "%", "％")
_UNIT = "|".join(re.escape(u) for u in _UNIT_WORDS)
MENTION = re.compile(rf"(?P<num>{_NUM})(?:\s*[-—–~～至到]\s*(?P<hi>{_NUM}))?\s*(?P<mult>千)?\s*(?P<unit>{_UNIT})")
BARE_YI = re.compile(r"(?<![0-9０-９.．千万])亿元")  # 过亿元 / 亿元以上企业: one 亿元
SENTENCE_END = "。；;！？!?\n"
CLAUSE_END = SENTENCE_END + "，,：:"
SUFFIX_CMP = (("及以上", ">="), ("以上", ">="), ("左右", "about"), ("以内", "<="), ("以下", "<="))
PREFIX_CMP = (("不低于", ">="), ("不少于", ">="), ("不超过", "<="), ("不高于", "<="), ("不多于", "<="),
              ("超过", ">"), ("突破", ">"), ("超", ">"), ("过", ">"), ("达到", ">="), ("达", ">="))
REACH_WORDS = re.compile(r"达到|突破|超过|超|达")  # 首次突破1亿元的企业，给予…奖励: an incentive's threshold
GROWTH_WORDS = ("增长", "增速", "增幅")
SHARE_WORDS = ("占", "比重", "比例")
# Words of a support measure (a subsidy, a fund, a loan): its amounts are not commitments.
MEASURE_WORDS = ("给予", "补助", "补贴", "资助", "贷款", "担保", "基金", "资金", "奖励", "最高", "注资")
CUMULATIVE_WORDS = ("新增", "累计", "共引进", "共培育", "共打造", "引进", "培育", "培养", "完成", "打造")
STATE_WORDS = ("目前", "现已", "已占", "已达", "已有", "已经")
FIRM_CUMULATIVE_WORDS = ("新增", "累计")  # a number of firms "培育/支持" is a list the plan keeps, not a sum
YEAR = re.compile(r"(?:到|至)?(20\d\d)年(?!\s*\d{1,2}\s*月)")
BY_YEAR = re.compile(r"(?:到|至)(20\d\d)年(?:底|末)?")
FIVE_YEAR = {"十一五": 2005, "十二五": 2010, "十三五": 2015, "十四五": 2020, "十五五": 2025, "十六五": 2030}
PERIOD = re.compile(r"(20\d\d)\s*[-—–~～至到]\s*(20\d\d)\s*年")
DATE = re.compile(r"(20\d\d)\s*(?:年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日|-(\d{1,2})-(\d{1,2}))")
TITLE_WORDS = ("意见", "方案", "规划", "计划", "通知", "办法", "纲要")
ISSUER = re.compile(r"([\u4e00-\u9fff（）()]{2,30}?(?:人民政府办公厅|人民政府办公室|人民政府|委员会|办公厅|办公室|厅|局))")
DEPT_END = ("委", "局", "办", "署", "院", "厅", "部", "会", "政府", "中心", "处", "室", "行", "所")
TASK_TAIL = re.compile(r"[（(]([^（）()]{2,120})[）)]\s*$")
LEAD = re.compile(r"(?:由)?([\u4e00-\u9fff]{2,20}?[委局办署厅部])(?:负责)?牵头")
LIST_MARK = re.compile(r"[\s\u3000]*(?:[（(][一二三四五六七八九十\d]+[）)]|[一二三四五六七八九十]+、|\d+[.．、]|——|[-*•#])?"
                       r"[\s\u3000]*")
OBJECT_AFTER = re.compile(r"[\u4e00-\u9fff]")
THRESHOLD_TAIL = re.compile(r"(?:及以上|以上)?(?:的)?(?:[\u4e00-\u9fff]{0,4})?(?:企业|公司)(?:数|数量)?(?:达到|超过|达)?"
                            rf"(?P<n>{_NUM})家")
# A count of designations: bases, parks and towns the plan creates (示范基地, 特色园区).
DESIGNATION = ("基地", "园区", "小镇")
# How far from a number its words are read: a sentence, clause or line longer than this (a text of
# numbers with no 。) is read in a window of this many characters either side, so the work per number
# is bounded and a text's cost grows with its length, not its square. Plans' sentences are shorter.
REACH = 400
# Words that begin what a clause is about when it is the plan's whole or its industry, not a place.
GENERIC_SUBJECT = re.compile(r"^(?:全|我|本|各|其中|软件|信息|产业|企业|行业|重点|骨干|龙头|规模|当年|新增|累计|实现|力争|确保|"
                             r"争取|主要|上述|以上|年|每|力|使|推动|带动|培育|引进|打造|建设|基本|建成|完成|达到|形成|全面|初步|进一步)")
HEAD_YEAR = re.compile(r"(?:到|至)?20\d\d年(?:底|末)?")
# A park's kind word alone (核心区面积达到…, 特色园面积…) points back to the park named before it.
ANAPHOR = re.compile(r"(?:该|本|其)?(?:特色园|产业园|软件园|核心区|软件城|信息谷|园区|园|新区|开发区|基地|示范区|区)")
PARK_WORDS = re.compile(r"([\u4e00-\u9fff（）()]{2,16}?(?:特色园|产业园|软件园|核心区|软件城|信息谷|园区|新区|开发区))")


def _num(s: str) -> float:
    return float(unicodedata.normalize("NFKC", s))


@dataclass
class _Mention:
    start: int
    end: int  # after the unit
    value: float
    unit: str
    cmp_end: int  # after a suffix comparator (以上/左右), else `end`
    suffix_cmp: str | None
    used: bool = False


def _mentions(text: str) -> list[_Mention]:
    out = []
    for m in MENTION.finditer(text):
        value = _num(m["num"])  # a range (15%—20%) is read from its lower end
        u = m["unit"].replace("％", "%")
        if m["mult"]:
            value *= 1000
        if m.start() > 0 and text[m.start() - 1] in "0123456789.０１２３４５６７８９．":
            continue
        out.append(_with_suffix(text, m.start(), m.end(), value, u))
    for m in BARE_YI.finditer(text):
        out.append(_with_suffix(text, m.start(), m.end(), 1.0, "亿元"))
    out.sort(key=lambda x: x.start)
    # 10%—15%: the upper end of a range written with both units is not a figure of its own
    return [x for i, x in enumerate(out)
            if not (i and re.fullmatch(r"\s*[-—–~～至到]\s*", text[out[i - 1].end:x.start]) and out[i - 1].unit == x.unit)]


def _with_suffix(text: str, start: int, end: int, value: float, u: str) -> _Mention:
    for word, cmp in SUFFIX_CMP:
        if text.startswith(word, end):
            return _Mention(start, end, value, u, end + len(word), cmp)
    return _Mention(start, end, value, u, end, None)


def _spans(text: str, ends: str) -> list[tuple[int, int]]:
    out, s = [], 0
    for i, ch in enumerate(text):
        if ch in ends:
            out.append((s, i))
            s = i + 1
    out.append((s, len(text)))
    return [(a, b) for a, b in out if b > a]


def _containing(spans: list[tuple[int, int]], starts: list[int], pos: int) -> tuple[int, int]:
    i = bisect.bisect_right(starts, pos) - 1
    return spans[max(i, 0)]


def _near(span: tuple[int, int], pos: int) -> tuple[int, int]:
    return max(span[0], pos - REACH), min(span[1], pos + REACH)


def _trimmed(text: str, a: int, b: int) -> tuple[int, int]:
    m = LIST_MARK.match(text, a, b)
    a = m.end() if m else a
    while b > a and text[b - 1] in " \u3000\t\r":
        b -= 1
    return a, b


# ------------------------------------------------------------------------ catalog vocabulary


@dataclass(frozen=True)
class _Vocab:
    terms: tuple[tuple[str, str], ...]  # (word, indicator_id), longest first
    orgs: tuple[tuple[str, str], ...]  # (name, org_id), longest first
    dims: dict[str, Dimension]


def _vocab(catalog: Catalog, scope: str | None) -> _Vocab:
    terms = {}
    for ind in catalog.indicators.values():
        for w in (*getattr(ind, "terms_zh", ()), re.sub(r"[（(].*$", "", ind.name_zh)):
            terms.setdefault(w, ind.indicator_id)
    orgs = {}
    for o in catalog.organisations.values():
        if o.kind in (OrgKind.ENTERPRISE,):
            continue
        if scope is not None and o.org_id != scope and not catalog.is_under(o.org_id, scope):
            continue
        for name in (o.name_zh, *o.aliases):
            if len(name) >= 2:
                orgs.setdefault(name, o.org_id)
    dims = {i: UNITS[ind.unit].dimension for i, ind in catalog.indicators.items()}
    return _Vocab(tuple(sorted(terms.items(), key=lambda kv: -len(kv[0]))),
                  tuple(sorted(orgs.items(), key=lambda kv: -len(kv[0]))), dims)


def _find_terms(vocab: _Vocab, text: str, a: int, b: int) -> list[tuple[int, int, str]]:
    """(start, end, indicator) of every catalog word in text[a:b]; at each end the longest word."""
    window = text[a:b]
    found: dict[int, tuple[int, int, str]] = {}
    for word, ind in vocab.terms:  # str.find: a plain word needs no regular expression
        i = window.find(word)
        while i >= 0:
            s, e = a + i, a + i + len(word)
            if e not in found or (e - s) > (found[e][1] - found[e][0]):
                found[e] = (s, e, ind)
            i = window.find(word, i + 1)
    return sorted(found.values(), key=lambda t: (t[1], t[0]))


def _fits(vocab: _Vocab, ind: str, kind: str, dim: Dimension | None) -> bool:
    if kind == TargetKind.DENSITY:  # 亿元/公顷: the money over the land
        return vocab.dims[ind] == Dimension.MONEY_CNY
    if kind in (TargetKind.GROWTH, TargetKind.SHARE) or dim is None:
        return kind != TargetKind.GROWTH or vocab.dims[ind] not in (Dimension.RATIO,)
    return vocab.dims[ind] == dim


def _indicator(vocab: _Vocab, text: str, a: int, b: int, kind: str, dim: Dimension | None, last: bool = True) -> str | None:
    hits = [t for t in _find_terms(vocab, text, a, b) if _fits(vocab, t[2], kind, dim)]
    if not hits:
        return None
    return hits[-1][2] if last else hits[0][2]


# ------------------------------------------------------------------------------------ propose


def _plan_head(text: str) -> tuple[str | None, str | None, dt.date | None]:
    lines = [ln.strip(" \u3000#\t") for ln in text.splitlines()[:12]]
    lines = [ln for ln in lines if ln]
    title = None
    for i, ln in enumerate(lines):
        if any(w in ln for w in TITLE_WORDS) and len(ln) <= 80:
            title = ln
            break
        if ln.startswith("关于") and i + 1 < len(lines) and any(w in lines[i + 1] for w in TITLE_WORDS):
            title = ln + lines[i + 1]
            break
    if title:
        title = re.sub(r"^《|》$", "", title)
    dates = []
    for part in (text[:400], text[-400:]):
        for m in DATE.finditer(part):
            y, mo, d = int(m[1]), int(m[2] or m[4]), int(m[3] or m[5])
            try:
                dates.append(dt.date(y, mo, d))
            except ValueError:
                continue
        if dates:
            break
    issuer = None
    # a line that is nothing but an issuer's name (the signature of a notice, at its head or its foot)
    # before one found inside a sentence (由市经信局牵头 is a task's department, not the issuer)
    all_lines = text.strip().splitlines()
    for ln in (*reversed(all_lines[-6:]), *all_lines[:12]):
        if ISSUER.fullmatch(ln.strip(" \u3000\t")):
            return title, ln.strip(" \u3000\t"), dates[0] if dates else None
    for ln in reversed(text.strip().splitlines()[-6:]):
        m = ISSUER.search(ln.replace("来源：", "").replace("来源:", ""))
        if m:
            issuer = m[1].strip()
            break
    return title, issuer, dates[0] if dates else None


def _plan_years(text: str, issued: dt.date | None) -> tuple[int | None, int | None]:
    years = [int(m[1]) for m in BY_YEAR.finditer(text)]
    horizon = max(set(years), key=lambda y: (years.count(y), y)) if years else None
    period = PERIOD.search(text)
    if period and (horizon is None or int(period[2]) >= horizon):
        return int(period[1]) - 1, int(period[2])
    if issued is not None:
        base = issued.year - 1
    elif horizon is not None:
        base = horizon - 5
    else:
        return None, None
    if horizon is not None and horizon <= base:
        horizon = None
    return base, horizon


def _guess_scope(text: str, catalog: Catalog) -> str | None:
    head = text[:600]
    best, count = None, 0
    for o in catalog.organisations.values():
        if o.kind not in (OrgKind.CITY, OrgKind.PROVINCE):
            continue
        short = re.sub(r"(市|省)$", "", o.name_zh)
        n = head.count(short) if len(short) >= 2 else 0
        if n > count:
            best, count = o.org_id, n
    return best


def propose(text: str, catalog: Catalog, scope: str | None = None) -> Proposal:
    """The candidate commitments of a plan's text (see the module docstring), in text order."""
    title, issuer, issued = _plan_head(text)
    base_year, horizon = _plan_years(text, issued)
    scope = scope or _guess_scope(text, catalog)
    vocab = _vocab(catalog, scope)
    ctx = _Context(text, catalog, vocab, scope, base_year, horizon)
    cands = [*_incentives(ctx), *_targets(ctx), *_tasks(ctx)]
    cands.sort(key=lambda c: (c.start, KINDS.index(c.kind)))
    return Proposal(title_zh=title, issuer_zh=issuer, issued=issued, base_year=base_year, horizon_end=horizon,
                    candidates=tuple(cands))


class _Context:
    def __init__(self, text: str, catalog: Catalog, vocab: _Vocab, scope: str | None, base: int | None, horizon: int | None):
        self.text, self.catalog, self.vocab, self.scope = text, catalog, vocab, scope
        self.base, self.horizon = base, horizon
        self.sentences = _spans(text, SENTENCE_END)
        self.sentence_starts = [a for a, _ in self.sentences]
        self.clauses = _spans(text, CLAUSE_END)
        self.clause_starts = [a for a, _ in self.clauses]
        self.lines = _spans(text, "\n")
        self.line_starts = [a for a, _ in self.lines]
        self.mentions = _mentions(text)

        self.mention_starts = [x.start for x in self.mentions]

    def sentence(self, pos: int) -> tuple[int, int]:
        return _near(_containing(self.sentences, self.sentence_starts, pos), pos)

    def clause(self, pos: int) -> tuple[int, int]:
        return _near(_containing(self.clauses, self.clause_starts, pos), pos)

    def line(self, pos: int) -> tuple[int, int]:
        return _near(_containing(self.lines, self.line_starts, pos), pos)

    def mentions_in(self, a: int, b: int) -> list[_Mention]:
        """The numbers starting in [a, b), found by bisection (not a scan of the text's numbers)."""
        return self.mentions[bisect.bisect_left(self.mention_starts, a):bisect.bisect_left(self.mention_starts, b)]

    def mention_from(self, pos: int) -> _Mention | None:
        """The first number starting at or after `pos`."""
        i = bisect.bisect_left(self.mention_starts, pos)
        return self.mentions[i] if i < len(self.mentions) else None

    def quote(self, a: int, b: int) -> tuple[str, int]:
        a, b = _trimmed(self.text, a, b)
        return self.text[a:b], a

    def years(self, pos: int) -> tuple[int | None, int | None]:
        """(base, target) year of a number at `pos`: a 十X五 period named in its sentence, else the
        nearest year before it in its sentence, else the nearest 到20XX年 within the paragraphs
        before it, else the plan's horizon."""
        sa, _ = self.sentence(pos)
        for word, start in FIVE_YEAR.items():
            if word in self.text[sa:pos + 40]:
                return start, start + 5
        ys = [int(m[1]) for m in YEAR.finditer(self.text, sa, pos)]
        if ys:
            target = ys[-1]
        else:
            # a 到20XX年 heading the lines or clauses before (到2025年：\n…), but not across a 。: a
            # sentence that names no year of its own is held to the plan's horizon
            lo = max(0, pos - 600)
            lo = max(lo, self.text.rfind("。", lo, sa) + 1)
            near = [int(m[1]) for m in BY_YEAR.finditer(self.text, lo, pos)]
            target = near[-1] if near else self.horizon
        base = self.base
        if target is not None and base is not None and target <= base:
            base = None
        return base, target

    def reported(self, pos: int) -> bool:
        """Whether the number at `pos` is where things stand, not a goal: the year its sentence names
        before it (not 到/至 20XX年, nor the end of a period 2021—2025年) is the plan's base year or
        earlier (2025年实现软件业务收入1260亿元 in a plan based on 2025)."""
        if self.base is None:
            return False
        sa, _ = self.sentence(pos)
        last = next(reversed(list(YEAR.finditer(self.text, sa, pos))), None)
        if last is None or last[0][0] in "到至":
            return False
        if re.search(r"[-—–~～至到]\s*$", self.text[max(sa, last.start() - 3):last.start()]):
            return False
        return int(last[1]) <= self.base

    def subject(self, pos: int) -> str | None:
        """The words naming what the clause of the number at `pos` is about, before its indicator
        (滨湖数字港 in 滨湖数字港软件业务收入达到300亿元): a name, not an industry or a whole (全市…)."""
        ca, _ = self.clause(pos)
        if ca != _containing(self.clauses, self.clause_starts, pos)[0]:
            return None  # a clause longer than REACH: its head is out of sight
        a = LIST_MARK.match(self.text, ca, pos).end()
        a = m.end() if (m := HEAD_YEAR.match(self.text, a, pos)) else a
        if a >= pos or not "\u4e00" <= self.text[a] <= "\u9fff" or GENERIC_SUBJECT.match(self.text, a, pos):
            return None  # most clauses: no name at their head, and no need to look for their indicator
        hits = _find_terms(self.vocab, self.text, a, pos)
        if not hits:
            return None
        head = self.text[a:min(h[0] for h in hits)].removesuffix("的")
        if re.fullmatch(r"[\u4e00-\u9fff]{2,12}", head) and not GENERIC_SUBJECT.match(head) \
                and not ANAPHOR.fullmatch(head):
            return head
        return None

    def scope_at(self, pos: int) -> tuple[str | None, str | None]:
        """The catalog organisation (or the unknown park's words) a number at `pos` is about: the
        nearest one named before it in its paragraph, unless its clause says 全市/全省/我市."""
        ca, _ = self.clause(pos)
        if re.search(r"全市|全省|我市|我省|本市|全区", self.text[ca:pos]):
            return self.scope, None
        la, _ = self.line(pos)
        best: tuple[int, str] | None = None
        window = self.text[la:pos]
        for name, org in self.vocab.orgs:
            i = window.rfind(name)
            if i >= 0 and (best is None or la + i + len(name) > best[0]):
                best = (la + i + len(name), org)
        park = next(reversed(list(PARK_WORDS.finditer(window))), None)
        if park is not None and re.match(r"^(?:示范|特色|创业|软件|产业)", park[1]):
            park = None
        # a name before this clause is carried over only when the clause names nothing of its own
        # (X园：收入达到…，从业人员达到…); 甲园收入达到…，乙港收入达到… gives each its own
        carried_to = max(best[0] if best else -1, la + park.end() if park else -1)
        if carried_to <= ca and (own := self.subject(pos)) is not None:
            org = next((o for name, o in self.vocab.orgs if name == own), None)
            return (org, None) if org else (self.scope, own)
        if best is not None:
            return best[1], None
        if park is not None:
            return self.scope, park[1].lstrip("打造建设推进")
        return self.scope, None


def _comparator(text: str, m: _Mention, a: int) -> str:
    if m.suffix_cmp:
        return m.suffix_cmp
    before = text[max(a, m.start - 6):m.start]
    for word, cmp in PREFIX_CMP:
        if before.endswith(word) or (word in before and len(word) >= 2 and before.rstrip("在了的").endswith(word)):
            return cmp
    for word, cmp in PREFIX_CMP:
        if len(word) >= 2 and word in before:
            return cmp
    return ">="


def _incentives(ctx: _Context) -> list[Candidate]:
    """对…(新)达到 A、B、C 的…，给予 x、y、z 的奖励: one candidate per threshold, paired by position."""
    out = []
    text = ctx.text
    for a, b in ctx.sentences:
        s = text[a:b]
        reach_word = REACH_WORDS.search(s)
        if "奖励" not in s or reach_word is None or "给予" not in s:
            continue
        reach, give = a + reach_word.start(), a + s.index("给予")
        if give < reach:
            continue
        money = [m for m in ctx.mentions_in(a, b) if UNITS[m.unit].dimension == Dimension.MONEY_CNY]
        thresholds = [m for m in money if reach < m.start < give]
        rewards = [m for m in money if m.start > give]
        if not thresholds:
            continue
        ind = _indicator(ctx.vocab, text, a, reach, TargetKind.LEVEL, Dimension.MONEY_CNY)
        quote, qs = ctx.quote(a, b)
        scope, _ = ctx.scope_at(reach)
        for i, t in enumerate(thresholds):
            r = rewards[i] if len(rewards) == len(thresholds) else (rewards[0] if len(rewards) == 1 else None)
            out.append(Candidate(quote=quote, start=qs, kind=INCENTIVE, indicator=ind, scope=scope, comparator=">=",
                                 threshold=Amount(value=t.value, unit=t.unit),
                                 reward=Amount(value=r.value, unit=r.unit) if r else None))
        for m in ctx.mentions_in(a, b):  # every number of the sentence is the incentive's
            m.used = True
    return out


def _kind_of(ctx: _Context, m: _Mention, ca: int, dim: Dimension) -> str | None:
    text = ctx.text
    before = text[ca:m.start]
    if m.unit == "%":
        if any(w in before for w in SHARE_WORDS) or before.endswith("的"):
            return TargetKind.SHARE
        clause_end = ctx.clause(m.start)[1]
        if any(w in text[ca:clause_end] for w in GROWTH_WORDS):
            return TargetKind.GROWTH
        return None
    if dim == Dimension.CNY_PER_AREA:
        return TargetKind.DENSITY
    if "每年" in before or "年均" in before and "新增" not in before and dim != Dimension.MONEY_CNY:
        return TargetKind.YEARLY_QUOTA if "每年" in before else TargetKind.AVERAGE_INCREASE
    if re.search(r"年均(?:新增|增加)", before):
        return TargetKind.AVERAGE_INCREASE
    if dim == Dimension.COUNT:
        after = text[m.cmp_end:ctx.clause(m.start)[1]]
        nxt = ctx.mention_from(m.cmp_end)
        if nxt is not None:
            after = after[: max(0, nxt.start - m.cmp_end)]
        if m.unit == "个" and (any(w in after for w in DESIGNATION) or any(before.endswith(w) for w in DESIGNATION)
                              or re.search(r"(?:基地|园区|小镇)[^、，]{0,3}$", before)):
            return TargetKind.PROGRAMME_COUNT
        if m.unit == "家":
            return TargetKind.CUMULATIVE if any(w in before for w in FIRM_CUMULATIVE_WORDS) else TargetKind.LEVEL
    if dim in (Dimension.COUNT, Dimension.PEOPLE, Dimension.PERSON_TIMES) and any(w in before for w in CUMULATIVE_WORDS):
        return TargetKind.CUMULATIVE
    return TargetKind.LEVEL


def _targets(ctx: _Context) -> list[Candidate]:
    text, vocab = ctx.text, ctx.vocab
    out: list[Candidate] = []
    prev: dict[tuple[int, str], Candidate] = {}  # (sentence start, kind) → the last candidate, for 其中/分别
    for i, m in enumerate(ctx.mentions):
        if m.used:
            continue
        sa, sb = ctx.sentence(m.start)
        ca, cb = ctx.clause(m.start)
        if any(w in text[ca:m.start] for w in STATE_WORDS):  # 目前…已占全国10%: where things stand, not a goal
            continue
        if ctx.reported(m.start):  # 2025年实现…1260亿元 in a plan based on 2025
            continue
        # a support measure's amounts (给予…补贴, 安排专项资金…) are in its clause or follow in its sentence
        if any(w in text[ca:sb] for w in MEASURE_WORDS) or "占地" in text[ca:m.start]:
            continue
        dim = UNITS[m.unit].dimension
        # candidates are made in text order: the sentence's last one, if any, is the last made
        last_any = out[-1] if out and sa <= out[-1].start < sb else None
        # X 亿元以上企业 N 家: a count of firms above a tier
        tail = THRESHOLD_TAIL.match(text, m.end) if dim in (Dimension.MONEY_CNY, Dimension.MONEY_USD) else None
        if tail:
            count = ctx.mention_from(tail.start("n"))
            if count is not None:
                count.used = True
            ind = _indicator(vocab, text, sa, m.start, TargetKind.THRESHOLD_COUNT, dim)
            if ind is None and (p := prev.get((sa, TargetKind.THRESHOLD_COUNT))):
                ind = p.indicator
            cmp_count = ">=" if count is None else (count.suffix_cmp or ">=")
            base, target = ctx.years(m.start)
            scope, scope_name = ctx.scope_at(m.start)
            quote, qs = ctx.quote(ca, cb)
            c = Candidate(quote=quote, start=qs, kind=TargetKind.THRESHOLD_COUNT, indicator=ind, scope=scope,
                          scope_name=scope_name, comparator=cmp_count, value=_num(tail["n"]), unit="家",
                          base_year=base, target_year=target, threshold=Amount(value=m.value, unit=m.unit))
            out.append(c)
            prev[(sa, c.kind)] = c
            continue
        if m.unit == "亿元" and m.end - m.start == 2:  # a bare 亿元 outside a tier of firms says nothing
            continue
        kind = _kind_of(ctx, m, ca, dim)
        if kind is None:
            continue
        # the words the number is about: after it (10家…领军软件企业) when a noun follows, else before it
        after_end = cb
        nxt = ctx.mentions[i + 1] if i + 1 < len(ctx.mentions) else None
        if nxt is not None and nxt.start < cb:
            after_end = nxt.start
        object_after = m.unit != "%" and m.cmp_end < len(text) and OBJECT_AFTER.match(text[m.cmp_end]) is not None \
            and text[m.cmp_end] not in "的和及与或且"
        prev_end = max((x.cmp_end for x in ctx.mentions_in(ca, m.start) if x.cmp_end <= m.start), default=ca)
        before_from = prev_end
        if kind == TargetKind.SHARE and "占" in text[before_from:m.start]:
            occupy = text.rindex("占", before_from, m.start)
            ind = _indicator(vocab, text, before_from, occupy, kind, dim)
            if ind is None and (p := prev.get((sa, kind))) is not None:
                ind = p.indicator
            if ind is None:
                ind = _indicator(vocab, text, sa, occupy, kind, dim)
        elif object_after:
            ind = (_indicator(vocab, text, m.cmp_end, after_end, kind, dim)
                   or _indicator(vocab, text, before_from, m.start, kind, dim))
        else:
            ind = _indicator(vocab, text, before_from, m.start, kind, dim)
            if ind is None and kind == TargetKind.PROGRAMME_COUNT:
                ind = _indicator(vocab, text, m.cmp_end, after_end, kind, dim, last=False)
        if ind is None:
            p = prev.get((sa, kind)) or (last_any if kind in (TargetKind.GROWTH, TargetKind.SHARE) else None)
            if p is not None:
                ind = p.indicator
        if ind is None and kind not in (TargetKind.GROWTH, TargetKind.SHARE):
            ind = _indicator(vocab, text, sa, m.start, kind, dim)
        if ind is None and kind == TargetKind.GROWTH:
            ind = _indicator(vocab, text, sa, m.start, kind, dim)
        # the comparator: its own words, or those of the list it ends (分别超过10%和60%)
        cmp = _comparator(text, m, before_from)
        between = text[prev_end:m.start]
        p_same = prev.get((sa, kind))
        if p_same is not None and re.fullmatch(r"[、和及与,，\s]*", between) and not m.suffix_cmp:
            cmp = p_same.comparator or cmp
        base, target = ctx.years(m.start)
        first = None
        if kind in (TargetKind.CUMULATIVE, TargetKind.YEARLY_QUOTA, TargetKind.PROGRAMME_COUNT) and base is not None:
            first = base + 1
        scope, scope_name = ctx.scope_at(m.start)
        den_scope = den_ind = None
        if kind == TargetKind.SHARE:
            den_scope, den_ind = _denominator(ctx, m, ca, sa, p_same, between, scope)
        quote, qs = ctx.quote(ca, cb)
        c = Candidate(quote=quote, start=qs, kind=kind, indicator=ind, scope=scope, scope_name=scope_name,
                      comparator=cmp, value=m.value, unit=m.unit, base_year=base, target_year=target, first_year=first,
                      denominator_scope=den_scope, denominator_indicator=den_ind)
        out.append(c)
        prev[(sa, kind)] = c
    return out


def _denominator(ctx: _Context, m: _Mention, ca: int, sa: int, p_same: Candidate | None, between: str,
                 scope: str | None) -> tuple[str | None, str | None]:
    """Whose total a share divides by: 全国 (the country), 全省 (the province above the scope), else
    the scope itself; with 分别 the n-th of the listed wholes."""
    text = ctx.text
    window = text[ca:m.start]
    wholes = re.findall(r"全国|全省|全市|GDP|地区生产总值", window)
    if "分别" in window and p_same is not None and re.fullmatch(r"[、和及与,，\s]*", between):
        n = sum(1 for c in ctx_previous_shares(ctx, sa, m.start))
        wholes = wholes[n:n + 1] or wholes[-1:]
    elif wholes:
        wholes = wholes[:1]
    word = wholes[0] if wholes else None
    root = ctx.catalog.root if ctx.catalog.organisations else None
    if word == "全国":
        return root, None
    if word == "全省":
        o = ctx.catalog.organisations.get(scope) if scope else None
        while o is not None and o.kind != OrgKind.PROVINCE:
            o = ctx.catalog.organisations.get(o.parent) if o.parent else None
        return (o.org_id if o else None), None
    den_ind = _indicator(ctx.vocab, text, text.find("占", ca, m.start) + 1 if "占" in window else ca, m.start,
                         TargetKind.SHARE, None)
    return scope, den_ind


def ctx_previous_shares(ctx: _Context, sa: int, pos: int) -> list[_Mention]:
    return [x for x in ctx.mentions_in(sa, pos) if x.unit == "%" and not x.used]


def _departments(words: str) -> tuple[str, ...]:
    out = []
    for w in re.split(r"[、，,和及]", words):
        w = re.sub(r"(?:统筹|牵头|负责.*|配合|等)$", "", w.strip())
        if len(w) >= 2 and w.endswith(DEPT_END):
            out.append(w)
    return tuple(out)


def _tasks(ctx: _Context) -> list[Candidate]:
    """A paragraph ending in （X、Y）naming departments, or a sentence saying X 牵头."""
    text, out = ctx.text, []
    for a, b in ctx.lines:
        a2, b2 = _trimmed(text, a, b)
        m = TASK_TAIL.search(text, a2, b2)
        if m and (depts := _departments(m[1])) and len(depts) == len(re.split(r"[、，,]", m[1])):
            body = text[a2:m.start()].rstrip()
            first_end = next((i for i in range(a2, m.start()) if text[i] in "。；;"), m.start())
            scope, _ = ctx.scope_at(a2)
            out.append(Candidate(quote=text[a2:first_end], start=a2, kind=TASK, scope=scope,
                                 lead_departments=depts, text=body))
            continue
        for sa, sb in _spans(text[a:b], "。；;"):
            s = text[a + sa:a + sb]
            lead = LEAD.search(s)
            if lead and (depts := _departments(lead[1])):
                quote, qs = ctx.quote(a + sa, a + sb)
                out.append(Candidate(quote=quote, start=qs, kind=TASK, scope=ctx.scope, lead_departments=depts,
                                     text=quote))
    return out


# ------------------------------------------------------------------------------------ matching


def same_amount(v: float | None, u: str | None, value: float, unit_: str) -> bool:
    """`v` `u` is `value` `unit_` (in any unit of the same measure), to rounding."""
    if v is None or u is None:
        return False
    try:
        x = convert(v, u, unit_)
    except ValueError:
        return False
    return abs(x - value) <= 1e-9 * max(1.0, abs(value))


def overlaps(c: Candidate, quote: str, text: str) -> bool:
    """The candidate's clause and an occurrence of `quote` in the text share a character."""
    i = text.find(quote)
    while i >= 0:
        if i < c.end and c.start < i + len(quote):
            return True
        i = text.find(quote, i + 1)
    return False


def matches(c: Candidate, item: Target | Incentive | Task, text: str, exact: bool = False) -> bool:
    """Whether a candidate proposes a catalog item of the plan whose `text` it was read from:
    found = the same kind, the same value in the item's unit (an incentive: the same threshold and
    reward; a task: any) and a quote overlapping the item's source_quote in the text. `exact`: also
    the same indicator, scope, comparator and years (an incentive: indicator and scope; a task: its
    lead departments)."""
    if isinstance(item, Task):
        if c.kind != TASK or not overlaps(c, item.source_quote, text):
            return False
        return not exact or tuple(c.lead_departments) == tuple(item.lead_departments)
    if isinstance(item, Incentive):
        if c.kind != INCENTIVE or c.threshold is None or not overlaps(c, item.source_quote, text):
            return False
        if not same_amount(c.threshold.value, c.threshold.unit, item.threshold.value, item.threshold.unit):
            return False
        if (c.reward is None) != (item.reward is None) or (
                item.reward is not None and not same_amount(c.reward.value, c.reward.unit, item.reward.value, item.reward.unit)):
            return False
        return not exact or (c.indicator == item.indicator and c.scope == item.scope)
    if c.kind != item.kind.value or not same_amount(c.value, c.unit, item.value, item.unit):
        return False
    if not overlaps(c, item.source_quote, text):
        return False
    if not exact:
        return True
    return (c.indicator == item.indicator and c.scope == item.scope and c.comparator == item.comparator.value
            and c.base_year == item.base_year and c.target_year == item.target_year)


# ------------------------------------------------------------------------------------ as_target


class NotATarget(ValueError):
    """A candidate that cannot become a target as it stands; `problems` lists what is missing."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


DESIGNATION_TYPES = {"示范": "demonstration", "特色": "featured", "创业": "startup"}


def as_target(c: Candidate, target_id: str, plan_scope: str, base_year: int, catalog: Catalog | None = None) -> dict:
    """The data/plans form of a target from a candidate, ready for `Target` validation; raises
    NotATarget naming every field it cannot fill (an incentive or a task is not a target)."""
    problems = []
    if c.kind not in {k.value for k in TargetKind}:
        raise NotATarget([f"{c.kind} is not a target kind"])
    for name in ("indicator", "value", "unit"):
        if getattr(c, name) is None:
            problems.append(f"{name} missing")
    if c.kind == TargetKind.THRESHOLD_COUNT and c.threshold is None:
        problems.append("threshold missing")
    target_year = c.target_year
    if target_year is None:
        problems.append("target_year missing")
    if problems:
        raise NotATarget(problems)
    ind = catalog.indicators.get(c.indicator) if catalog else None
    base = c.base_year if c.base_year is not None else base_year
    out: dict = {"target_id": target_id, "kind": c.kind, "name_zh": ind.name_zh if ind else c.indicator,
                 "name_en": ind.name_en if ind else c.indicator, "scope": c.scope or plan_scope, "indicator": c.indicator,
                 "comparator": c.comparator or ">=", "value": c.value, "unit": c.unit, "base_year": base,
                 "target_year": target_year, "source_quote": c.quote}
    if c.kind == TargetKind.SHARE:
        den_scope = c.denominator_scope or out["scope"]
        den_ind = c.indicator if den_scope != out["scope"] else (c.denominator_indicator or c.indicator)
        out["denominator"] = {"indicator": den_ind, "scope": den_scope}
    if c.kind == TargetKind.DENSITY:
        out["denominator"] = {"indicator": c.denominator_indicator or "land_area", "scope": out["scope"]}
    if c.kind == TargetKind.THRESHOLD_COUNT and c.threshold is not None:
        out["threshold"] = {"value": c.threshold.value, "unit": c.threshold.unit}
    if c.kind in (TargetKind.CUMULATIVE, TargetKind.YEARLY_QUOTA, TargetKind.PROGRAMME_COUNT):
        out["first_year"] = c.first_year if c.first_year is not None else base + 1
    if c.kind == TargetKind.PROGRAMME_COUNT:
        out["designation_type"] = next((v for k, v in DESIGNATION_TYPES.items() if k in c.quote), c.indicator)
    return out
