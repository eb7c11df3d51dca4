"""Romanisation of Han, Hangul, Arabic and Hebrew names as the lists write them in Latin.

anyascii reads each of these scripts letter by letter, which is not how names are written
in Latin:

- **Han** becomes pinyin syllables run together (``习近平`` -> ``xijinping``). A Chinese name
  of two or three characters that starts with a common surname is split as lists write it,
  family name apart and given name joined: ``xi jinping``, ``mao zedong`` (four characters
  with a two-character surname: ``ouyang xiu``-style). Other runs (places, organisations) stay
  one word: ``深圳`` -> ``shenzhen``. Japanese kanji get the same Mandarin key, so kanji still
  match kanji; the ``kanji`` extra reads them as Japanese instead.
- **Hangul**: a three-syllable name starting with a surname is split into the surname as
  lists spell it (``김`` Kim, ``문`` Moon, ``박`` Park, ``리`` Ri) and one token per given-name
  syllable, with the eo/eu of Revised Romanisation read as o/u, as North Korean names are
  written in the lists: ``김정은`` -> ``kim jong un``, ``문재인`` -> ``moon jae in``.
- **Arabic**: the article ``ال`` stands apart as ``al``; alif, ya and waw are read as the long
  vowels a, i, u (at the start of a word ya and waw are y and w); ain is ``a``; short-vowel
  marks are read when written: ``عمر البشير`` -> ``amr al bshir``, ``علي`` -> ``ali``.
- **Hebrew**: vav and yod inside a word are the vowels o and i, a final he is a vowel, bet,
  kaf and pe at the start of a word are b, k and p: ``יוסף`` -> ``yosf``.

Every output is lower-case ASCII, so normalising it again changes nothing.
"""

from __future__ import annotations

import re
from functools import lru_cache

from anyascii import anyascii

# The most common Chinese surnames (single characters; simplified and traditional forms).
_HAN_SURNAMES = frozenset(
    "王李张張刘劉陈陳杨楊黄黃赵趙吴吳周徐孙孫马馬朱胡郭何高林罗羅郑鄭梁谢謝宋唐许許韩韓"
    "冯馮邓鄧曹彭曾肖萧蕭田董袁潘于蒋蔣蔡余杜叶葉程苏蘇魏吕呂丁任沈姚卢盧姜崔钟鍾谭譚陆陸"
    "汪范金石廖贾賈夏韦韋付方白邹鄒孟熊秦邱江尹薛闫閆段雷侯龙龍史陶黎贺賀顾顧毛郝龚龔邵"
    "万萬钱錢严嚴覃武戴莫孔向汤湯习習温溫薄胡"
)
_HAN_COMPOUND_SURNAMES = frozenset({
    "欧阳", "歐陽", "司马", "司馬", "诸葛", "諸葛", "上官", "司徒", "东方", "東方", "皇甫",
    "尉迟", "尉遲", "公孙", "公孫", "慕容", "长孙", "長孫", "宇文", "夏侯", "令狐",
})

# Hangul surnames -> the spelling lists use (리 is how North Korea writes 이 Lee).
_HANGUL_SURNAMES = {
    "김": "kim", "이": "lee", "리": "ri", "박": "park", "최": "choi", "정": "jong", "강": "kang",
    "조": "cho", "윤": "yun", "장": "jang", "임": "lim", "림": "rim", "한": "han", "오": "oh",
    "서": "so", "신": "shin", "권": "kwon", "황": "hwang", "안": "ahn", "송": "song",
    "류": "ryu", "유": "yu", "전": "jon", "홍": "hong", "고": "ko", "문": "moon", "양": "yang",
    "손": "son", "배": "bae", "백": "paek", "허": "ho", "남": "nam", "노": "noh", "로": "ro",
    "하": "ha", "곽": "kwak", "성": "song", "차": "cha", "주": "ju", "우": "u", "구": "ku",
    "민": "min", "진": "jin", "나": "na", "지": "ji", "엄": "om", "채": "chae", "원": "won",
    "천": "chon", "방": "pang", "공": "kong", "현": "hyon", "함": "ham", "변": "pyon",
    "염": "yom", "여": "yo", "추": "chu", "도": "to", "소": "so", "석": "sok", "선": "son",
    "설": "sol", "마": "ma", "길": "kil", "연": "yon", "위": "wi", "표": "pyo", "명": "myong",
    "기": "ki", "반": "ban", "왕": "wang", "금": "kum", "옥": "ok", "육": "yuk", "인": "in",
    "맹": "maeng", "제": "je", "모": "mo", "탁": "thak", "국": "kuk", "태": "thae",
}
_HANGUL_COMPOUND_SURNAMES = {
    "남궁": "namgung", "황보": "hwangbo", "제갈": "jegal", "선우": "sonu", "독고": "tokko",
}

_HANGUL_WORD = re.compile(r"[\uAC00-\uD7A3]+")
_ARABIC_WORD = re.compile(r"[\u0600-\u06FF\u0750-\u077F]+")
_HEBREW_WORD = re.compile(r"[\u0590-\u05FF]+")

_ARABIC_LETTERS = {
    "ا": "a", "آ": "a", "أ": "a", "ٱ": "a", "إ": "i", "ى": "a", "ة": "a", "ء": "", "ئ": "i",
    "ؤ": "u", "ع": "a", "ب": "b", "ت": "t", "ث": "th", "ج": "j", "ح": "h", "خ": "kh",
    "د": "d", "ذ": "dh", "ر": "r", "ز": "z", "س": "s", "ش": "sh", "ص": "s", "ض": "d",
    "ط": "t", "ظ": "z", "غ": "gh", "ف": "f", "ق": "q", "ك": "k", "ک": "k", "ل": "l", "م": "m",
    "ن": "n", "ه": "h", "پ": "p", "چ": "ch", "ژ": "zh", "گ": "g",
    "\u064E": "a", "\u064F": "u", "\u0650": "i",  # fatha, damma, kasra
    "\u064B": "", "\u064C": "", "\u064D": "", "\u0651": "", "\u0652": "", "\u0640": "",
}
_ARABIC_YA = frozenset("يی")
_ARABIC_WAW = "و"

_HEBREW_LETTERS = {
    "א": "a", "ב": "v", "ג": "g", "ד": "d", "ה": "h", "ז": "z", "ח": "h", "ט": "t",
    "כ": "kh", "ך": "kh", "ל": "l", "מ": "m", "ם": "m", "נ": "n", "ן": "n", "ס": "s",
    "ע": "a", "פ": "f", "ף": "f", "צ": "ts", "ץ": "ts", "ק": "k", "ר": "r", "ש": "sh",
    "ת": "t",
}
_HEBREW_WORD_START = {"ב": "b", "כ": "k", "פ": "p", "ו": "v", "י": "y"}
_REPEATED_VOWEL = re.compile(r"([aeiou])\1+")


@lru_cache(maxsize=1 << 14)
def han_to_latin(run: str) -> str:
    """Pinyin of a run of Han characters, split as a Chinese name when it reads as one.

    Parameters
    ----------
    run
        Consecutive Han characters (an iteration mark repeats the character before it).

    Returns
    -------
    str
        Lower-case ASCII: ``"xi jinping"`` for a name, one word otherwise.
    """
    chars: list[str] = []
    for char in run:
        if char in "\u3005\u3006" and chars:
            chars.append(chars[-1])
        elif char not in "\u3005\u3006":
            chars.append(char)
    syllables = [anyascii(char).lower() for char in chars]
    count = len(chars)
    family = 0
    if count in (3, 4) and "".join(chars[:2]) in _HAN_COMPOUND_SURNAMES:
        family = 2
    elif count in (2, 3) and chars[0] in _HAN_SURNAMES:
        family = 1
    if family:
        return f"{''.join(syllables[:family])} {''.join(syllables[family:])}"
    return "".join(syllables)


def _fold_korean_vowels(syllable: str) -> str:
    return syllable.replace("eo", "o").replace("eu", "u")


@lru_cache(maxsize=1 << 14)
def hangul_to_latin(word: str) -> str:
    """A Hangul word in Latin letters: a name as surname and syllables, else one word.

    Parameters
    ----------
    word
        Consecutive Hangul syllables.

    Returns
    -------
    str
        Lower-case ASCII: ``"kim jong un"`` for ``김정은``, ``"joseon"``-style run-together
        Revised Romanisation for a word that does not read as a name.
    """
    syllables = [anyascii(char).lower() for char in word]
    if len(word) == 4 and word[:2] in _HANGUL_COMPOUND_SURNAMES:
        given = [_fold_korean_vowels(s) for s in syllables[2:]]
        return " ".join([_HANGUL_COMPOUND_SURNAMES[word[:2]], *given])
    if len(word) == 3 and word[0] in _HANGUL_SURNAMES:
        given = [_fold_korean_vowels(s) for s in syllables[1:]]
        return " ".join([_HANGUL_SURNAMES[word[0]], *given])
    return "".join(syllables)


@lru_cache(maxsize=1 << 14)
def arabic_to_latin(word: str) -> str:
    """An Arabic (or Persian) word in Latin letters, the article apart.

    Parameters
    ----------
    word
        Consecutive Arabic-script letters and vowel marks.

    Returns
    -------
    str
        Lower-case ASCII, e.g. ``"al bshir"`` for ``البشير``.
    """
    if word == "الله":
        return "allah"
    article = ""
    if word.startswith("ال") and len(word) > 3:
        article, word = "al ", word[2:]
    letters = []
    for position, char in enumerate(word):
        if char in _ARABIC_YA:
            letters.append("y" if position == 0 else "i")
        elif char == _ARABIC_WAW:
            letters.append("w" if position == 0 else "u")
        else:
            letters.append(_ARABIC_LETTERS.get(char, anyascii(char).lower()))
    return article + _REPEATED_VOWEL.sub(r"\1", "".join(letters))


@lru_cache(maxsize=1 << 14)
def hebrew_to_latin(word: str) -> str:
    """A Hebrew word in Latin letters (vowel points, if any, are dropped).

    Parameters
    ----------
    word
        Consecutive Hebrew-block characters.

    Returns
    -------
    str
        Lower-case ASCII, e.g. ``"yosf"`` for ``יוסף``.
    """
    letters = []
    for position, char in enumerate(word):
        if position == 0 and char in _HEBREW_WORD_START:
            letters.append(_HEBREW_WORD_START[char])
        elif char == "ו":
            letters.append("u" if position == len(word) - 1 else "o")
        elif char == "י":
            letters.append("i")
        elif char == "ה" and position == len(word) - 1:
            letters.append("a")  # a final he is a vowel: Moshe, Yehuda, Sara
        else:
            letters.append(_HEBREW_LETTERS.get(char, ""))
    return _REPEATED_VOWEL.sub(r"\1", "".join(letters))


def _spaced(function):
    return lambda match: f" {function(match.group(0))} "


_BY_SCRIPT = (
    (_HANGUL_WORD, _spaced(hangul_to_latin)),
    (_ARABIC_WORD, _spaced(arabic_to_latin)),
    (_HEBREW_WORD, _spaced(hebrew_to_latin)),
)


def romanize_words(text: str) -> str:
    """Romanise the Hangul, Arabic and Hebrew words of a text; anyascii reads the rest.

    Parameters
    ----------
    text
        Folded text without Han or kana runs.

    Returns
    -------
    str
        ASCII text.
    """
    for pattern, replace in _BY_SCRIPT:
        if pattern.search(text):
            text = pattern.sub(replace, text)
    return anyascii(text)
