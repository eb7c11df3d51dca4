"""Legal-form and honorific tables: loaded from the bundled data, compiled for stripping.

Each table lists surfaces with a canonical form and a position (``edge``, ``prefix``,
``suffix``, ``anywhere``). A surface is compiled two ways:

* as a token sequence, through the same folding as names, for stripping whole words;
* as folded characters, when it is written in a script without spaces (Han, kana,
  Hangul), for stripping inside words: 株式会社アドミラルティ造船所.

The legal-form table is also compiled leniently, for forms as they are mistyped in lists
and shipping papers: a word one edit away from a word of a Latin-script surface may be read
as that word ("limited liability cmpany") when that lets a form be stripped.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import groupby, pairwise
from pathlib import Path

from bulkscreen._data import datasets_dir
from bulkscreen.errors import Location, RuleDataError
from bulkscreen.normalize.chars import dominant_script
from bulkscreen.normalize.tokens import fold_characters, join_initials, split_tokens

LEGAL_FORMS_FILE = ("reference", "legal_forms", "v3", "legal_forms.csv")
HONORIFICS_FILE = ("reference", "honorifics", "v2", "honorifics.csv")
POSITIONS = ("edge", "prefix", "suffix", "anywhere")

_UNSPACED_SCRIPT = re.compile(
    "[\u3005\u3006\u3041-\u30FF\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF"
    "\u1100-\u11FF\u3130-\u318F\uAC00-\uD7AF]"
)

# Misspelt words: the shortest token read as another word, by kind of edit. A substitution
# needs 5 letters; a letter missing from a word of 5 or more may leave 4 (joit -> joint); an
# extra letter needs a word of 5 or more, and never a final "s" (parts is not part, corps
# is not corp); a swap of two neighbours needs 4 (gbmh -> gmbh). Words of 3 letters or
# fewer (co, ag, sa) are never read fuzzily, and an edit other than a swap leaves the last
# letter of a token of 5 or fewer alone: real words differ from short forms there (party and
# parts are not partg).
_MIN_FUZZY_LENGTH = 4
_MIN_EDITED_LENGTH = 5
_MAX_FREE_END_LENGTH = 5
# Role bits of a misspelt token: near a word that starts a leading form, ends a trailing
# form, or starts a form allowed anywhere.
NEAR_LEADING, NEAR_TRAILING, NEAR_INNER = 1, 2, 4
_NEAR_NONE: tuple[int, tuple[str, ...]] = (0, ())
_NEAR_MEMO_LIMIT = 1 << 17
# Runs of deletion positions gated together before a token's deletions are built (see
# _deletion_hits).
_DELETION_RUNS = 3


def _trim_silent_edges(text: str) -> str:
    """Drop characters that yield no token (spaces, most punctuation) from both ends.

    Such characters do not hide a form at the end of a name (山田太郎様: is 山田太郎 with
    様), while '&' (read "and") or '©' (read "c") do.
    """
    start, end = 0, len(text)
    while start < end and not split_tokens(text[start]):
        start += 1
    while end > start and not split_tokens(text[end - 1]):
        end -= 1
    return text[start:end]


@dataclass(frozen=True)
class Form:
    """One strippable surface: its canonical form and where it may stand."""

    canonical: str
    position: str


@dataclass
class StripTable:
    """A table compiled for stripping, with forms grouped by where they may stand."""

    name: str
    # Whether a surface in a script written without spaces is also compiled as the Latin
    # tokens of its transliteration. Not for honorifics: 様 reads "yang", 君 "jun", 氏 "shi",
    # which are names ("Chao YANG" is not "Chao" with the honorific 様).
    romanised_unspaced: bool = True
    # Token-sequence forms keyed by their tokens, longest first when tried.
    leading: dict[tuple[str, ...], Form] = field(default_factory=dict)
    trailing: dict[tuple[str, ...], Form] = field(default_factory=dict)
    inner: dict[tuple[str, ...], Form] = field(default_factory=dict)
    # Unspaced-script forms as folded strings, longest first.
    unspaced: list[tuple[str, Form]] = field(default_factory=list)
    max_tokens: int = 0
    # Quick rejection: most names start and end with a word no form starts or ends with.
    leading_first: set[str] = field(default_factory=set)
    trailing_last: set[str] = field(default_factory=set)
    inner_first: set[str] = field(default_factory=set)
    # Filled by finish(): the widths (in tokens) of the forms each edge word starts or ends,
    # widest first, so only widths that can match are tried; one search for any unspaced form.
    _leading_widths: dict[str, tuple[int, ...]] = field(default_factory=dict)
    _trailing_widths: dict[str, tuple[int, ...]] = field(default_factory=dict)
    _inner_widths: dict[str, tuple[int, ...]] = field(default_factory=dict)
    _any_unspaced: re.Pattern[str] | None = None
    # Token keys of Latin-script surfaces, in row order, for the lenient compilation.
    latin_keys: list[tuple[tuple[str, ...], Form]] = field(default_factory=list)
    # Misspelt words (filled by finish(lenient=True)): vocabulary words by their one-letter
    # deletions (symmetric delete), and a memo of token -> (role bits, near words).
    near_by_deletion: dict[str, tuple[str, ...]] = field(default_factory=dict)
    vocabulary: frozenset[str] = frozenset()
    # Token length -> (start, end, what the index strings one shorter keep around a
    # deletion in positions start..end-1) for each run of positions.
    _deletion_gates: dict[int, list[tuple[int, int, frozenset[str]]]] = field(
        default_factory=dict
    )
    _near_memo: dict[str, tuple[int, tuple[str, ...]]] = field(default_factory=dict)
    # Tokens seen to be near no form word: one C-level issuperset clears most names.
    _far_tokens: set[str] = field(default_factory=set)
    # For each vocabulary word, the other words of each form holding it.
    _partners: dict[str, list[frozenset[str]]] = field(default_factory=dict)
    # Every lower-case token one edit from a word that starts a leading form or a form
    # allowed anywhere, and from one that starts a form allowed anywhere (built on first
    # use by misspelt_first_and_inner()).
    _misspelt_first: frozenset[str] | None = None
    _misspelt_inner: frozenset[str] | None = None

    def add(self, surface: str, form: Form) -> None:
        """Compile one surface into the table (the first row for a surface wins)."""
        folded = fold_characters(surface)
        if _UNSPACED_SCRIPT.search(folded):
            if all(existing != folded for existing, _ in self.unspaced):
                self.unspaced.append((folded, form))
            # "(株)" as a token would be the bare 株, which is not a legal form.
            if not all(ch.isalnum() for ch in folded) or not self.romanised_unspaced:
                return
        key = tuple(split_tokens(folded))
        if not key:
            return
        if dominant_script(folded) == "Latn":
            self.latin_keys.append((key, form))
        self._add_key(key, form)

    def _add_key(self, key: tuple[str, ...], form: Form) -> None:
        self.max_tokens = max(self.max_tokens, len(key))
        if form.position in ("edge", "prefix", "anywhere"):
            self.leading.setdefault(key, form)
            self.leading_first.add(key[0])
        if form.position in ("edge", "suffix", "anywhere"):
            self.trailing.setdefault(key, form)
            self.trailing_last.add(key[-1])
        if form.position == "anywhere":
            self.inner.setdefault(key, form)
            self.inner_first.add(key[0])

    def finish(self, *, lenient: bool = False) -> None:
        """Complete the table once every row is added.

        Parameters
        ----------
        lenient
            Also index the words of all Latin-script surfaces for reading misspelt tokens
            (:meth:`read_misspelt`).
        """
        # Longest first, so 股份有限公司 wins over 有限公司.
        self.unspaced.sort(key=lambda item: (-len(item[0]), item[0]))
        if self.unspaced:
            self._any_unspaced = re.compile(
                "|".join(re.escape(surface) for surface, _ in self.unspaced)
            )
        self._leading_widths = _widths_by_word(self.leading, edge=0)
        self._trailing_widths = _widths_by_word(self.trailing, edge=-1)
        self._inner_widths = _widths_by_word(self.inner, edge=0)
        if not lenient:
            return
        # Forms with a word dropped are not compiled: a shortened form can match inside a
        # longer one and leave its other words behind ("corporation gelios").
        self._index_vocabulary()

    def _index_vocabulary(self) -> None:
        words = {
            word for key, _ in self.latin_keys for word in key
            if len(word) >= _MIN_FUZZY_LENGTH and word.isascii() and word.isalpha()
        }
        by_deletion: dict[str, set[str]] = {}
        for word in words:
            for variant in _deletions(word):
                by_deletion.setdefault(variant, set()).add(word)
        self.vocabulary = frozenset(words)
        partners: dict[str, set[frozenset[str]]] = {}
        for key in {**self.leading, **self.trailing, **self.inner}:
            for word in set(key) & words:
                partners.setdefault(word, set()).add(frozenset(key) - {word})
        self._partners = {word: sorted(found, key=len) for word, found in partners.items()}
        self.near_by_deletion = {
            variant: tuple(sorted(found)) for variant, found in by_deletion.items()
        }
        self._deletion_gates = _gates_by_length(self.near_by_deletion)
        self.forget_near_words()

    def forget_near_words(self) -> None:
        """Empty the memo of :meth:`near_words` (for benchmarks)."""
        self._near_memo.clear()
        self._far_tokens.clear()

    def near_words(self, token: str) -> tuple[int, tuple[str, ...]]:
        """Return the form words a token may be a misspelling of, with their role bits.

        Parameters
        ----------
        token
            A normalised token.

        Returns
        -------
        tuple of (int, tuple of str)
            The OR of ``NEAR_LEADING``, ``NEAR_TRAILING`` and ``NEAR_INNER`` over the
            near words, and the near words in sorted order; ``(0, ())`` for a form word
            itself, a token of 3 characters or fewer, or one that is not all ASCII letters.
        """
        memo = self._near_memo
        found = memo.get(token)
        if found is None:
            found = self._find_near_words(token)
            if len(memo) >= _NEAR_MEMO_LIMIT:
                self.forget_near_words()
            memo[token] = found
            if not found[1]:
                self._far_tokens.add(token)
        return found

    def remember_near_words(self, tokens: Iterable[str]) -> None:
        """Work out the near words of many tokens at once, for :meth:`near_words` to find.

        Afterwards the checks of a name whose tokens are all near no form word end at one
        set comparison (:meth:`may_strip_misspelt`, :meth:`read_misspelt`).

        Parameters
        ----------
        tokens
            Normalised tokens, repeats allowed.
        """
        new = set(tokens).difference(self._near_memo)
        found = dict.fromkeys(new, _NEAR_NONE)
        if self.near_by_deletion:
            for token in self._maybe_near(new.difference(self.vocabulary)):
                found[token] = self._find_near_words(token)
        self._memoise(found)

    def _maybe_near(self, tokens: set[str]) -> set[str]:
        """Return the tokens :meth:`_find_near_words` may find a word for.

        Those are the plain-letter tokens of 4 or more characters that are an index entry
        or pass a gate of :meth:`_deletion_positions`. The gates are tried for all tokens of
        one length at once, which costs far less than a call for each token.
        """
        index = self.near_by_deletion
        plain = sorted((token for token in tokens if token.isascii() and token.isalpha()), key=len)
        maybe: set[str] = set()
        for length, same_length in groupby(plain, key=len):
            if length < _MIN_FUZZY_LENGTH:
                continue
            group = list(same_length)
            maybe.update(token for token in group if token in index)
            for start, end, kept in self._deletion_gates.get(length, ()):
                maybe.update(token for token in group if token[:start] + token[end:] in kept)
        return maybe

    def tokens_near(self, tokens: Iterable[str], roles: int) -> set[str]:
        """Return the tokens whose near words have one of ``roles``, remembering them all.

        Parameters
        ----------
        tokens
            Normalised tokens, repeats allowed.
        roles
            An OR of ``NEAR_LEADING``, ``NEAR_TRAILING`` and ``NEAR_INNER``.

        Returns
        -------
        set of str
            The tokens ``t`` with ``near_words(t)[0] & roles``.
        """
        distinct = set(tokens)
        self.remember_near_words(distinct)
        near = self.near_words
        return {token for token in distinct.difference(self._far_tokens) if near(token)[0] & roles}

    def _memoise(self, found: dict[str, tuple[int, tuple[str, ...]]]) -> None:
        if len(self._near_memo) + len(found) > _NEAR_MEMO_LIMIT:
            self.forget_near_words()
        self._near_memo.update(found)
        self._far_tokens.update(token for token, (_, words) in found.items() if not words)

    def _find_near_words(self, token: str) -> tuple[int, tuple[str, ...]]:
        """Work out :meth:`near_words` for one token (no memo)."""
        if not (
            self.near_by_deletion and len(token) >= _MIN_FUZZY_LENGTH
            and token not in self.vocabulary and token.isascii() and token.isalpha()
        ):
            return _NEAR_NONE
        found_words = self._deletion_hits(token)
        if not found_words:
            return _NEAR_NONE
        candidates = set().union(*found_words)
        words = tuple(sorted(w for w in candidates if one_edit_apart(token, w)))
        roles = 0
        for word in words:
            if word in self.leading_first:
                roles |= NEAR_LEADING
            if word in self.trailing_last:
                roles |= NEAR_TRAILING
            if word in self.inner_first:
                roles |= NEAR_INNER
        return roles, words

    def _deletion_hits(self, token: str) -> list[tuple[str, ...]]:
        """Return the index entries of ``token`` and of its one-character deletions.

        For a token of 4 or more characters. Deleting any position in ``start..end-1``
        keeps the first ``start`` characters and those from ``end`` on; a deletion is built
        only where the index holds a string of its length keeping the same characters; for
        most tokens that leaves none to build.
        """
        lookup = self.near_by_deletion.get
        hits = []
        if (hit := lookup(token)) is not None:
            hits.append(hit)
        for span in self._deletion_positions(token):
            for position in span:
                if (hit := lookup(token[:position] + token[position + 1:])) is not None:
                    hits.append(hit)
        return hits

    def _deletion_positions(self, token: str) -> list[range]:
        """The runs of positions whose deletion from ``token`` may be in the index."""
        gates = self._deletion_gates.get(len(token))
        if gates is None:
            return []
        return [range(start, end) for start, end, kept in gates
                if token[:start] + token[end:] in kept]

    def misspelt_first_and_inner(self) -> tuple[frozenset[str], frozenset[str]]:
        """Return the lower-case tokens whose near words start a leading or inner form.

        The first set holds every token ``t`` with ``near_words(t)[0] & (NEAR_LEADING |
        NEAR_INNER)``, the second every token with ``near_words(t)[0] & NEAR_INNER``, for
        tokens of lower-case ASCII letters (the tokens of an ASCII name). Only a few
        dozen words start such forms, so all their one-edit neighbours fit in two sets,
        and a name's first and inner tokens are then checked with no lookup of their own
        (the last token, near any of hundreds of trailing words, still is).

        Returns
        -------
        tuple of frozenset of str
            The first-token set and the inner-token set.
        """
        if self._misspelt_first is None or self._misspelt_inner is None:
            # A near word is one edit from the token, so the tokens sought are edits of
            # the vocabulary words that start such forms; each edit is then checked by
            # the same _find_near_words that answers for single tokens.
            starting = self.vocabulary & (self.leading_first | self.inner_first)
            edits = set().union(*map(_one_edit_variants, starting))
            find = self._find_near_words
            roles_of = {token: roles for token in edits if (roles := find(token)[0])}
            self._misspelt_first = frozenset(
                token for token, roles in roles_of.items() if roles & (NEAR_LEADING | NEAR_INNER)
            )
            self._misspelt_inner = frozenset(
                token for token, roles in roles_of.items() if roles & NEAR_INNER
            )
        return self._misspelt_first, self._misspelt_inner

    def may_strip_misspelt(self, tokens: list[str]) -> bool:
        """Say cheaply whether reading a misspelt token could let a form be stripped.

        A misspelt word can matter only as the first token (a leading form), the last
        token (a trailing form) or the first word of a form allowed anywhere; a misspelling
        inside a form whose edge word is spelt right is caught by :meth:`may_strip`.
        """
        if not tokens or not self.near_by_deletion or self._far_tokens.issuperset(tokens):
            return False
        near = self.near_words
        if near(tokens[0])[0] & (NEAR_LEADING | NEAR_INNER):
            return True
        if near(tokens[-1])[0] & (NEAR_TRAILING | NEAR_INNER):
            return True
        return any(near(token)[0] & NEAR_INNER for token in tokens[1:-1])

    def read_misspelt(self, tokens: list[str]) -> list[str]:
        """Read tokens one edit away from a form word as that word where it strips more.

        Tokens are tried left to right, each against the name as corrected so far. A
        reading is kept only when the corrected name strips more tokens than before,
        the word read among them. A token near several form words whose readings
        strip to different results is left as written.

        Parameters
        ----------
        tokens
            Normalised tokens, before any form is stripped.

        Returns
        -------
        list of str
            ``tokens``, or a copy with misspelt form words replaced by the words read.
        """
        if not self.near_by_deletion or self._far_tokens.issuperset(tokens):
            return tokens
        near = self.near_words
        misspelt = [(index, words) for index, token in enumerate(tokens)
                    if (words := near(token)[1])]
        if not misspelt:
            return tokens
        best = tokens
        best_left = best_forms = -1
        # A second pass reads a word whose form needed another misspelt word read first
        # ("obschestvo s ogranichennoi otvetstvennostyu").
        while misspelt:
            still_misspelt = []
            for index, words in misspelt:
                outcomes: dict[tuple[tuple[str, ...], tuple[str, ...]], list[str]] = {}
                for word in words:
                    trial = [*best[:index], word, *best[index + 1:]]
                    if not self._may_complete_form(trial, word):
                        continue
                    if best_left < 0:
                        best_left, best_forms = (len(part) for part in self._strip_all(best))
                    left, found = self._strip_all(trial)
                    # A short token read as a form of its own, one word long, would eat
                    # given names ("Behrad" as "berhad"); joining a form ("opne joint
                    # stock company") or completing a longer one is fine.
                    alone = best_left - len(left) < 2 and len(found) > best_forms
                    if alone and len(best[index]) < _MIN_LONE_READING_LENGTH:
                        continue
                    if len(left) < best_left and left.count(word) < trial.count(word):
                        outcomes.setdefault((tuple(left), tuple(found)), trial)
                if len(outcomes) == 1:
                    ((left, found), trial), = outcomes.items()
                    best, best_left, best_forms = trial, len(left), len(found)
                else:
                    still_misspelt.append((index, words))
            if len(still_misspelt) == len(misspelt):
                break
            misspelt = still_misspelt
        return best

    def _may_complete_form(self, tokens: list[str], word: str) -> bool:
        """Say cheaply whether ``word`` may be stripped as part of a form in ``tokens``.

        True when the other words of some form holding ``word`` are all present (stripping
        may bring them together), or when single letters may join into form words.
        """
        present = set(tokens)
        if any(len(token) == 1 for token in present):
            return True
        return any(others <= present for others in self._partners.get(word, ()))

    def _strip_all(self, tokens: list[str]) -> tuple[list[str], list[str]]:
        """Strip this table's token forms until none is left; return what is left and found."""
        found: list[str] = []
        while tokens and self.may_strip(tokens):
            count = len(tokens)
            tokens = join_initials(self.strip_tokens(tokens, found))
            if len(tokens) == count:
                break
        return tokens, found

    def strip_unspaced(self, text: str, found: list[str]) -> str:
        """Remove unspaced-script forms from folded text; append their canonical forms.

        A form is kept when removing it would leave no token: a name that is only a legal
        form or title keeps it (株式会社 stays 株式会社).

        Parameters
        ----------
        text
            Folded text (output of ``fold_characters``).
        found
            Receives the canonical form of each form removed, in order of removal.

        Returns
        -------
        str
            The text with each form replaced by a space (so no new form can appear by
            joining its neighbours).
        """
        if self._any_unspaced is None or not self._any_unspaced.search(text):
            return text
        for surface, form in self.unspaced:
            if surface not in text:
                continue
            while True:
                remainder = _remove_unspaced(text, surface, form.position)
                if remainder is None or not split_tokens(remainder):
                    break
                found.append(form.canonical)
                text = remainder
        return text

    def may_strip(self, tokens: list[str]) -> bool:
        """Say cheaply whether :meth:`strip_tokens` could remove anything."""
        return bool(tokens) and (
            tokens[-1] in self.trailing_last
            or tokens[0] in self.leading_first
            or (bool(self.inner_first) and not self.inner_first.isdisjoint(tokens))
        )

    def strip_tokens(self, tokens: list[str], found: list[str],
                     keep: frozenset[str] = frozenset()) -> list[str]:
        """Remove token-sequence forms from the ends (and, for ``anywhere``, the middle).

        The longest form at each end is removed, repeatedly, unless it is all that is left.

        Parameters
        ----------
        tokens
            Normalised tokens.
        found
            Receives the canonical form of each form removed.
        keep
            Tokens never removed as a one-word form (a surname written ``Sá`` is not ``SA``).

        Returns
        -------
        list of str
            The remaining tokens; never empty when ``tokens`` is not.
        """
        whole = tuple(tokens)
        if whole in self.trailing or whole in self.leading or whole in self.inner:
            return tokens  # the name is one legal form ("Ltd Co"): keep it whole
        if self.inner_first and not self.inner_first.isdisjoint(tokens):
            tokens = self._strip_inner(tokens, found)
        changed = True
        while changed:
            changed = False
            widths = self._trailing_widths.get(tokens[-1])
            if widths is not None:
                width, form = _longest(self.trailing, tokens, widths, from_end=True)
                if (form is not None and width < len(tokens)
                        and not (width == 1 and tokens[-1] in keep)):
                    found.append(form.canonical)
                    tokens, changed = tokens[:-width], True
            widths = self._leading_widths.get(tokens[0])
            if widths is not None:
                width, form = _longest(self.leading, tokens, widths, from_end=False)
                if (form is not None and width < len(tokens)
                        and not (width == 1 and tokens[0] in keep)):
                    found.append(form.canonical)
                    tokens, changed = tokens[width:], True
        return tokens

    def _strip_inner(self, tokens: list[str], found: list[str]) -> list[str]:
        kept: list[str] = []
        index = 0
        while index < len(tokens):
            widths = self._inner_widths.get(tokens[index])
            width, form = (0, None) if widths is None else _longest(
                self.inner, tokens[index:], widths, from_end=False
            )
            if form is not None and (kept or index + width < len(tokens)):
                found.append(form.canonical)
                index += width
            else:
                kept.append(tokens[index])
                index += 1
        return kept


def _longest(
    forms: dict[tuple[str, ...], Form], tokens: list[str], widths: tuple[int, ...], *,
    from_end: bool,
) -> tuple[int, Form | None]:
    """Return the widest form at the start (or end) of ``tokens`` and its width.

    ``widths`` are the widths of the forms starting (or ending) with the edge token,
    widest first: no form of another width can match there.
    """
    for width in widths:
        if width > len(tokens):
            continue
        key = tuple(tokens[-width:]) if from_end else tuple(tokens[:width])
        form = forms.get(key)
        if form is not None:
            return width, form
    return 0, None


_MIN_LONE_READING_LENGTH = 7
"""Shortest misspelt token read as a form word that strips with no other word."""


def _widths_by_word(forms: dict[tuple[str, ...], Form], edge: int) -> dict[str, tuple[int, ...]]:
    """Map the word at ``edge`` (0 or -1) of each form key to its keys' widths, widest first."""
    widths: dict[str, set[int]] = {}
    for key in forms:
        widths.setdefault(key[edge], set()).add(len(key))
    return {word: tuple(sorted(found, reverse=True)) for word, found in widths.items()}


def _gates_by_length(
    strings: dict[str, tuple[str, ...]],
) -> dict[int, list[tuple[int, int, frozenset[str]]]]:
    """Index strings by length + 1 (the length of a token whose deletions they may be).

    The positions of such a token are cut into ``_DELETION_RUNS`` runs. Deleting a
    position in run ``start..end-1`` leaves ``token[:start] + token[end:]`` around it, so
    for each run the entry holds those characters of every string of the length:
    ``text[:start] + text[end - 1:]``.
    """
    by_length: dict[int, list[str]] = {}
    for text in strings:
        by_length.setdefault(len(text) + 1, []).append(text)
    gates = {}
    for token_length, texts in by_length.items():
        cuts = sorted({token_length * run // _DELETION_RUNS for run in range(_DELETION_RUNS + 1)})
        gates[token_length] = [
            (start, end, frozenset(text[:start] + text[end - 1:] for text in texts))
            for start, end in pairwise(cuts)
        ]
    return gates


_LOWER_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _one_edit_variants(word: str) -> set[str]:
    """Every string of lower-case letters one substitution, insertion, deletion or swap
    of neighbours away from ``word`` (a superset of the tokens one_edit_apart allows)."""
    variants = set()
    for index in range(len(word) + 1):
        head, tail = word[:index], word[index:]
        variants.update(head + letter + tail for letter in _LOWER_LETTERS)
        if tail:
            variants.add(head + tail[1:])
            variants.update(head + letter + tail[1:] for letter in _LOWER_LETTERS)
        if len(tail) > 1:
            variants.add(head + tail[1] + tail[0] + tail[2:])
    return variants


def _deletions(word: str) -> list[str]:
    """The word and each string made by deleting one of its characters."""
    return [word, *(word[:i] + word[i + 1:] for i in range(len(word)))]


def one_edit_apart(token: str, word: str) -> bool:
    """Say whether ``token`` reads as ``word`` after one allowed edit.

    The edit is one of: a substitution (at least 5 characters); a character missing from
    ``token`` (``word`` at least 5 characters); an extra character in ``token`` (``word``
    at least 5 characters, and not a final "s", which makes a plural); a swap of two
    neighbouring characters (at least 4 characters). A substitution, insertion or deletion
    in a token of 5 characters or fewer leaves its last character alone. That is optimal
    string alignment distance 1, with guards against reading real words as form words.

    Parameters
    ----------
    token, word
        Lower-case words.

    Returns
    -------
    bool
        True when exactly one allowed edit turns ``token`` into ``word``.
    """
    if token == word:
        return False
    shorter, longer = sorted((token, word), key=len)
    if len(shorter) < _MIN_FUZZY_LENGTH or len(longer) - len(shorter) > 1:
        return False
    first = next(
        (i for i, (a, b) in enumerate(zip(shorter, longer, strict=False)) if a != b),
        len(shorter),
    )
    if len(token) != len(word):
        # A missing character is added at ``first``; an extra one is removed from there.
        end_edited = first == (len(token) if len(token) < len(word) else len(token) - 1)
        if len(token) <= _MAX_FREE_END_LENGTH and end_edited:
            return False
        if len(word) < _MIN_EDITED_LENGTH or token == f"{word}s":
            return False
        return shorter[first:] == longer[first + 1:]
    if token[first + 1:] == word[first + 1:]:  # one substitution
        if len(token) <= _MAX_FREE_END_LENGTH and first == len(token) - 1:
            return False
        return len(token) >= _MIN_EDITED_LENGTH
    return (  # one swap of neighbours
        first + 1 < len(token)
        and token[first] == word[first + 1] and token[first + 1] == word[first]
        and token[first + 2:] == word[first + 2:]
    )


def _remove_unspaced(text: str, surface: str, position: str) -> str | None:
    """Return ``text`` with one occurrence of ``surface`` at an allowed place removed."""
    if position == "anywhere":
        index = text.find(surface)
        if index < 0:
            return None
        return f"{text[:index]} {text[index + len(surface):]}"
    trimmed = _trim_silent_edges(text)
    if position in ("edge", "suffix") and trimmed.endswith(surface):
        return trimmed[: -len(surface)]
    if position in ("edge", "prefix") and trimmed.startswith(surface):
        return trimmed[len(surface):]
    return None


@dataclass(frozen=True)
class NameTables:
    """The compiled tables one normalisation version uses."""

    legal_forms: StripTable
    honorifics_any: StripTable
    honorifics_person: StripTable


def _read_rows(path: Path, required: tuple[str, ...]) -> list[dict[str, str]]:
    try:
        handle = path.open(encoding="utf-8", newline="")
    except OSError as exc:
        raise RuleDataError(
            f"cannot read the name table {path.name}: {exc}",
            Location(file=str(path)),
            hint="reinstall bulkscreen; the table ships inside the package",
        ) from exc
    with handle:
        reader = csv.DictReader(handle)
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            raise RuleDataError(
                f"name table {path.name} lacks column(s) {', '.join(missing)}",
                Location(file=str(path), line=1),
                hint=f"the header must name: {', '.join(required)}",
            )
        rows = list(reader)
    for line, row in enumerate(rows, start=2):
        if not (row["surface"] or "").strip() or not (row["canonical"] or "").strip():
            raise RuleDataError(
                f"empty surface or canonical form in {path.name}",
                Location(file=str(path), line=line, column="surface"),
                hint="every row needs a surface and a canonical form",
            )
        if row["position"] not in POSITIONS:
            raise RuleDataError(
                f"unknown position {row['position']!r} in {path.name}",
                Location(file=str(path), line=line, column="position"),
                hint=f"use one of: {', '.join(POSITIONS)}",
            )
    return rows


def build_table(name: str, rows: list[dict[str, str]], *, lenient: bool = False,
                romanised_unspaced: bool = True) -> StripTable:
    """Compile table rows (dicts with surface, canonical, position) into a StripTable.

    ``lenient`` adds misspelt-word reading (see :meth:`StripTable.finish`); the legal-form
    table is compiled so. ``romanised_unspaced`` also strips a surface of a script written
    without spaces (株式会社) as the Latin tokens it transliterates to; the honorific tables
    are compiled without it (since names-norm-v5), as 様 would strip the surname "Yang".
    """
    table = StripTable(name, romanised_unspaced=romanised_unspaced)
    for row in rows:
        table.add(row["surface"], Form(row["canonical"], row["position"]))
    table.finish(lenient=lenient)
    return table


@lru_cache(maxsize=1)
def load_tables() -> NameTables:
    """Load and compile the bundled legal-form and honorific tables (once per process).

    Returns
    -------
    NameTables
        Legal forms; honorifics stripped for any entity type; honorifics stripped for
        persons (a superset of the former).

    Raises
    ------
    RuleDataError
        When a table is missing or malformed; the error names file, line and column.
    """
    root = datasets_dir()
    legal = _read_rows(root.joinpath(*LEGAL_FORMS_FILE), ("surface", "canonical", "position"))
    honorifics = _read_rows(
        root.joinpath(*HONORIFICS_FILE), ("surface", "canonical", "position", "applies_to")
    )
    return NameTables(
        legal_forms=build_table("legal_forms", legal, lenient=True),
        honorifics_any=build_table(
            "honorifics", [row for row in honorifics if row["applies_to"] == "any"],
            romanised_unspaced=False,
        ),
        honorifics_person=build_table("honorifics", honorifics, romanised_unspaced=False),
    )
