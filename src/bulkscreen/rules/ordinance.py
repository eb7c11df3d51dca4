"""The bundled goods ordinance (貨物等省令) read as a tree of items.

The ordinance text ships with each rule version (``law/goods-ordinance.md``, e-Gov law data
in Markdown). Articles 1-14 define the goods of Appended Table 1 rows 2-15 (part ``goods``);
Articles 15-27 define the technologies of the Foreign Exchange Order's Appended Table rows
2-15 (part ``technology``). Each article opens with a sentence naming its row, each technology
paragraph with 「外為令別表のＮの項（Ｍ）」 naming its row and item, and the items nest as a
Markdown list: 号 (一, 二, ...), イ/ロ, （一）, １ and a fifth level of kanji numbers.

Every item gets a reference of the form ``<article>[-p<paragraph>][.<label>...]``: article
``5`` or ``2の2``, paragraph only where the article has several, then the labels with kanji
and full-width numbers written in ASCII digits, e.g. ``5.2.イ.(1)`` for 第五条第二号イ（一）
and ``2-p2.1`` for 第二条第二項第一号. Declared entry codes match by these prefixes.

A *countable item* is one an entry must encode: a node whose children, if any, are
alternatives (次のいずれか), or a node whose children are conditions it requires all of
(全てに該当, 及び). Conditions are folded into their item; alternatives are items of their own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

ORDINANCE_FILE = "goods-ordinance.md"
ORDER_FILE = "export-trade-control-order.md"

# Goods articles and the Appended Table 1 row each defines (paragraph -> row item).
ARTICLE_ROWS: dict[str, str] = {
    "1": "2", "2": "3", "2の2": "3-2", "3": "4", "4": "5", "5": "6", "6": "7", "7": "8",
    "8": "9", "9": "10", "10": "11", "11": "12", "12": "13", "13": "14", "14": "15",
}
# Technology articles and the Foreign Exchange Order Appended Table row each defines; the item
# of the row is read from each paragraph's first sentence.
TECHNOLOGY_ARTICLE_ROWS: dict[str, str] = {
    "15": "2", "15の2": "3", "15の3": "3-2", "16": "4", "17": "5", "18": "6", "19": "7",
    "20": "8", "21": "9", "22": "10", "23": "11", "24": "12", "25": "13", "26": "14",
    "27": "15",
}
PARTS: dict[str, dict[str, str]] = {"goods": ARTICLE_ROWS, "technology": TECHNOLOGY_ARTICLE_ROWS}
_KANJI_ROW = r"([〇一二三四五六七八九十の]+)"
_ROW_ITEM_RE = re.compile(rf"別表の{_KANJI_ROW}の項(?:（{_KANJI_ROW}）)?")
PARAGRAPH_ITEMS: dict[str, dict[int, str]] = {
    "2": {1: "(1)", 2: "(2)", 3: "(3)"},
    "2の2": {1: "(1)", 2: "(2)"},
    "13": {1: "(1)", 2: "(2)", 3: "(3)", 4: "(5)", 5: "(7)", 6: "(9)", 7: "(10)", 8: "(11)"},
}

_KANJI_DIGITS = {"〇": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
                 "八": 8, "九": 9}
_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")
_ARTICLE_RE = re.compile(r"^## 第([一二三四五六七八九十]+)条(?:の([一二三四五六七八九十]+))?")
_ITEM_RE = re.compile(r"^( *)- (\S+?)　(.*)$")
_PARAGRAPH_RE = re.compile(r"^([０-９]+)　(.*)$")
_LABEL = r"(?:（[^（）]{1,4}）|[ア-ン]|[０-９]{1,2})"
_EXCLUDED_RE = re.compile(rf"（(?:次の)?({_LABEL}(?:(?:、|又は|若しくは|から){_LABEL})*)"
                          r"(?:まで(?:の(?:いずれか|全て))?)?に該当するもの[^（）]*?を除く")
_AND_RE = re.compile(r"(全て|すべて)に該当|及び[^、。いずれ]{0,16}に該当|並びに[^、。]{0,16}に該当")
# A number that decides: kanji digits (with 、 and ・) followed by a unit or a ratio word.
_NUMBER_RE = re.compile(
    r"[〇一二三四五六七八九十百千万][〇一二三四五六七八九十百千万、・]*"
    r"(?:パーセント|ppm|度|ケルビン|メートル|センチ|ミリ|マイクロ|ナノ|ピコ|キロ|メガ|ギガ|テラ|"
    r"ヘルツ|ボルト|アンペア|ワット|ジュール|パスカル|グラム|リットル|秒|分の|倍|ビット|バイト|"
    r"ニュートン|オーム|ファラド|テスラ|ガウス|グレイ|ラド|デシベル|ラジアン|ステラジアン|"
    r"時間|日|回|個|軸|気圧|平方|立方|ルクス|カンデラ|ベクレル|キュリー|電子ボルト|"
    r"エレクトロンボルト|ノット|マッハ|Ｇ|ｇ|Ｗ|Ｖ|Ａ|Ｈｚ|ｍ|％)"
)


@dataclass
class Item:
    """One node of the ordinance: an article, a paragraph or a numbered item."""

    ref: str
    article: str
    paragraph: int
    labels: tuple[str, ...]
    text: str
    line: int
    children: list[Item] = field(default_factory=list)
    parent: Item | None = field(default=None, repr=False)
    extra: list[str] = field(default_factory=list)
    raw_label: str = ""
    # Row and row item named by a technology paragraph's first sentence (else '').
    named_row: str = ""
    named_item: str = ""

    @property
    def exclusion(self) -> bool:
        """Whether the parent's clause excludes this child (（ホに該当するものを除く。）)."""
        if self.parent is None or not self.raw_label:
            return False
        if re.search(r"ただし、次のいずれかに該当するもの[^。]*を除く", self.parent.quote):
            return True
        labels = [c.raw_label for c in self.parent.children]
        for match in _EXCLUDED_RE.finditer(self.parent.quote):
            named = re.findall(_LABEL, match[1])
            if "から" in match[1] and len(named) == 2 and set(named) <= set(labels):
                first, last = labels.index(named[0]), labels.index(named[1])
                named = labels[first:last + 1]
            if self.raw_label in named:
                return True
        return False

    @property
    def row(self) -> str:
        """Appended Table row the item belongs to."""
        return self.named_row or ARTICLE_ROWS.get(self.article, "")

    @property
    def row_item(self) -> str:
        """Item of the row, where the article's paragraph names one (else '')."""
        return self.named_item or PARAGRAPH_ITEMS.get(self.article, {}).get(self.paragraph, "")

    @property
    def deleted(self) -> bool:
        """Whether the item reads 削除 (deleted)."""
        return self.text.strip() == "削除"

    @property
    def quote(self) -> str:
        """The item's own clause as it stands in the text (first non-empty line)."""
        if self.text.strip():
            return self.text.strip()
        return next((x.strip() for x in self.extra if x.strip()), "")

    @property
    def requires_all(self) -> bool:
        """Whether the item's children are conditions it must meet together."""
        if not self.children:
            return False
        if "いずれにも該当しない" in self.quote:
            return True
        both = _AND_RE.search(self.quote)
        either = self.quote.find("次のいずれか")
        return bool(both) and (either < 0 or both.start() < either)

    @property
    def full_text(self) -> str:
        """The item's text with its continuation lines and condition children."""
        parts = [self.quote, *(x.strip() for x in self.extra)]
        if self.requires_all:
            parts += [c.full_text for c in self.children if not c.exclusion]
        return "\n".join(p for p in parts if p)

    @property
    def has_number(self) -> bool:
        """Whether a number with a unit appears in the item or its conditions."""
        return bool(_NUMBER_RE.search(self.full_text))

    def walk(self):
        """Yield the item and every descendant, depth first."""
        yield self
        for child in self.children:
            yield from child.walk()


def kanji_number(text: str) -> int:
    """Return the value of a kanji numeral such as 六十二 or 一〇."""
    if all(ch in _KANJI_DIGITS for ch in text):
        return int("".join(str(_KANJI_DIGITS[ch]) for ch in text))
    total, current = 0, 0
    for ch in text:
        if ch in _KANJI_DIGITS:
            current = _KANJI_DIGITS[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
        else:
            raise ValueError(f"not a kanji numeral: {text!r}")
    return total + current


def label_code(label: str) -> str:
    """Return an item label in reference form: 十二 -> 12, （三） -> (3), ４ -> 4, イ -> イ."""
    label = label.translate(_FULLWIDTH)
    if "及び" in label:
        return "及び".join(label_code(part) for part in label.split("及び"))
    if "の" in label:
        return "の".join(label_code(part) for part in label.split("の"))
    if label.startswith("（") and label.endswith("）"):
        inner = label[1:-1]
        return f"({inner})" if inner.isdigit() else f"({kanji_number(inner)})"
    if label.isdigit():
        return label
    try:
        return str(kanji_number(label))
    except ValueError:
        return label


def row_code(text: str) -> str:
    """Return a row or row item written in kanji in reference form: 三の二 -> 3-2, 一〇 -> 10."""
    return "-".join(str(kanji_number(part)) for part in text.split("の"))


def _ref(article: str, paragraph: int, multi: bool, labels: tuple[str, ...]) -> str:
    head = article + (f"-p{paragraph}" if multi else "")
    return ".".join((head, *labels))


@dataclass
class Ordinance:
    """The parsed ordinance: the articles of one part as item trees, and the raw text."""

    text: str
    roots: list[Item]
    part: str = "goods"

    @property
    def row_order(self) -> tuple[str, ...]:
        """The rows of the part, in article order."""
        return tuple(dict.fromkeys(PARTS[self.part].values()))

    def items(self) -> dict[str, Item]:
        """Every node by reference."""
        return {node.ref: node for root in self.roots for node in root.walk()}

    def countable(self) -> list[Item]:
        """The items an entry must encode, in text order (deleted items left out)."""
        out: list[Item] = []

        def visit(node: Item) -> None:
            if node.deleted or node.exclusion:
                return
            alternatives = [c for c in node.children if not c.exclusion]
            if not alternatives or node.requires_all:
                out.append(node)
                return
            for child in node.children:
                visit(child)

        for root in self.roots:
            visit(root)
        return out

    def item_of(self, ref: str) -> Item | None:
        """Return the countable item a reference falls in (itself or an ancestor)."""
        countable = {i.ref for i in self.countable()}
        node = self.items().get(ref)
        while node is not None and node.ref not in countable:
            node = node.parent
        return node


def parse_ordinance(text: str, part: str = "goods") -> Ordinance:
    """Parse the Markdown text of the goods ordinance, Articles 1-14 or 15-27.

    Parameters
    ----------
    text
        The bundled ``goods-ordinance.md``.
    part
        ``goods`` (Articles 1-14, Appended Table 1 rows 2-15) or ``technology`` (Articles
        15-27, Foreign Exchange Order Appended Table rows 2-15).

    Returns
    -------
    Ordinance
        One root per article paragraph (articles with one paragraph have one root), each with
        its numbered items nested as in the text.
    """
    articles = PARTS[part]
    lines = text.split("\n")
    multi = _multi_paragraph_articles(lines)
    roots: list[Item] = []
    article, paragraph, stack, last = None, 0, [], None
    for number, line in enumerate(lines, start=1):
        m = _ARTICLE_RE.match(line)
        if m:
            article = _article_code(m)
            if article not in articles:
                article = None
            paragraph, stack, last = 0, [], None
            continue
        if article is None or not line.strip():
            continue
        item = _ITEM_RE.match(line)
        if item and stack:
            depth = len(item[1]) // 2 + 1
            while len(stack) > depth:
                stack.pop()
            parent = stack[-1]
            labels = (*parent.labels, label_code(item[2]))
            node = Item(_ref(article, paragraph, article in multi, labels), article,
                        paragraph, labels, item[3], number, parent=parent,
                        raw_label=item[2], named_row=parent.named_row,
                        named_item=parent.named_item)
            parent.children.append(node)
            stack.append(node)
            last = node
            continue
        para = _PARAGRAPH_RE.match(line)
        if not line.startswith(" ") and (para or paragraph == 0):
            paragraph = int(para[1].translate(_FULLWIDTH)) if para else 1
            body = para[2] if para else line
            root = Item(_ref(article, paragraph, article in multi, ()), article, paragraph,
                        (), body, number)
            if part == "technology":
                _name_row(root)
            roots.append(root)
            stack, last = [root], root
            continue
        if last is not None:
            last.extra.append(line)
    return Ordinance(text, roots, part)


def _multi_paragraph_articles(lines: list[str]) -> set[str]:
    """The articles with several paragraphs (their references name the paragraph)."""
    multi: set[str] = set()
    article = None
    for line in lines:
        m = _ARTICLE_RE.match(line)
        if m:
            article = _article_code(m)
        elif article and _PARAGRAPH_RE.match(line):
            multi.add(article)
    return multi


def _name_row(root: Item) -> None:
    """Set the row and item a technology paragraph names in its first sentence."""
    named = _ROW_ITEM_RE.search(root.text)
    if named:
        root.named_row = row_code(named[1])
        root.named_item = f"({row_code(named[2])})" if named[2] else ""


def _article_code(match: re.Match[str]) -> str:
    base = str(kanji_number(match[1]))
    return f"{base}の{kanji_number(match[2])}" if match[2] else base


def load_ordinance(folder: Path, part: str = "goods") -> Ordinance:
    """Read and parse ``law/goods-ordinance.md`` of a rule version folder (one part)."""
    return parse_ordinance((folder / "law" / ORDINANCE_FILE).read_text(encoding="utf-8"), part)
