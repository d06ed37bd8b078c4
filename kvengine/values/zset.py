"""The sorted set value, as Redis 7.0 keeps it (t_zset.c): a *listpack* or a *skiplist*.

Members are ordered by score, and members with equal scores by their bytes (``memcmp``), so
the order is total. Two encodings, with ``OBJECT ENCODING`` names:

* **listpack** (small sets: at most ``zset-max-listpack-entries`` = 128 members, each at most
  ``zset-max-listpack-value`` = 64 bytes): one flat array of member, score, member, score...
  kept in order. Finding a member is a linear scan and an insert shifts the tail, O(n), but
  for 128 entries that is a few cache lines and no pointers at all. Here: a Python list of
  ``(score, member)`` pairs, searched by member linearly and by score with binary search.
* **skiplist** (``zset``: a ``dict`` plus a ``zskiplist``): the dict maps member -> score,
  so ZSCORE is O(1); the skiplist keeps the order. A skiplist is a sorted linked list with
  express lanes: each node gets a random height (level 1, then each further level with
  probability ``ZSKIPLIST_P`` = 1/4, at most ``ZSKIPLIST_MAXLEVEL`` = 32), and a search starts
  on the highest lane of the header and drops a lane whenever the next node would overshoot:
  O(log n) expected for insert, delete and search. Each forward pointer also stores its
  ``span`` (how many nodes it jumps over), so summing spans along the search path gives a
  member's *rank*, and walking by spans finds the node at a rank, both in O(log n): this is
  what makes ZRANK and ZRANGE by index fast. ``backward`` pointers on level 0 allow the
  reverse walks of ZREVRANGE.

A sorted set converts from listpack to skiplist when it grows past either limit and never
back, except that a newly built result (ZUNIONSTORE, ZINTERSTORE, ZRANGESTORE) is made compact
when it fits (``zsetConvertToListpackIfNeeded``).

    >>> import random
    >>> z = RedisZSet(random.Random(1))
    >>> z.add(2.0, "b"), z.add(1.0, "a"), z.encoding(), z.range_by_rank(0, 1)
    ((2, 2.0), (2, 1.0), 'listpack', [('a', 1.0), ('b', 2.0)])
    >>> z.add(3.0, "x" * 65)[0] == OUT_ADDED, z.encoding(), z.rank("b"), z.score("a")
    (True, 'skiplist', 1, 1.0)
"""

from __future__ import annotations

import bisect
import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ..hashtable import HashTable
from ..memory import byte_len
from . import Value

ZSET_MAX_LISTPACK_ENTRIES = 128  # zset-max-listpack-entries
ZSET_MAX_LISTPACK_VALUE = 64  # zset-max-listpack-value (bytes)
ZSKIPLIST_MAXLEVEL = 32
ZSKIPLIST_P = 0.25

# zsetAdd flags, in and out
ADD_NX, ADD_XX, ADD_GT, ADD_LT, ADD_INCR = 1, 2, 4, 8, 16
OUT_NOP, OUT_ADDED, OUT_UPDATED, OUT_NAN = 1, 2, 4, 8

# Memory estimate (MEMORY USAGE, maxmemory) in Redis 7.0 terms, 64-bit build, beyond the key
# and its robj (kvengine.memory charges those).
LISTPACK_HEADER = 7
LISTPACK_PAIR = 2 * 3 + 8  # two entries (encoding byte + backlen each) and the score's bytes
SKIPLIST_BYTES = 32 + 96  # zskiplist + dict
# a node (ele, score, backward, 1.33 levels on average of forward + span) + its dictEntry
# and bucket slot + the member's sds header
SKIPLIST_PAIR = 32 + 21 + 24 + 8 + 4


# ------------------------------------------------------------------------- ranges
@dataclass(frozen=True)
class ScoreRange:
    """``zrangespec``: min/max scores, each inclusive unless ``minex``/``maxex``."""

    min: float
    max: float
    minex: bool = False
    maxex: bool = False

    def gte_min(self, score: float) -> bool:
        return score > self.min if self.minex else score >= self.min

    def lte_max(self, score: float) -> bool:
        return score < self.max if self.maxex else score <= self.max

    def empty(self) -> bool:
        return self.min > self.max or (self.min == self.max and (self.minex or self.maxex))


# Lex bounds: "-" and "+" are the smallest and the biggest strings there are.
MIN_STRING = "-"
MAX_STRING = "+"


@dataclass(frozen=True)
class LexRange:
    """``zlexrangespec``: ``min``/``max`` are member texts, or the markers for "-" and "+"."""

    min: str
    max: str
    minex: bool
    max_is_inf: int = 0  # -1: "-", +1: "+", 0: a text bound
    min_is_inf: int = 0
    maxex: bool = False

    @staticmethod
    def _cmp(a: str, a_inf: int, b: str, b_inf: int) -> int:
        """``sdscmplex``: compare two bounds where +-inf markers beat every text."""
        if a_inf == b_inf and a_inf != 0:
            return 0
        if a_inf == -1 or b_inf == 1:
            return -1
        if a_inf == 1 or b_inf == -1:
            return 1
        return (a > b) - (a < b)

    def gte_min(self, member: str) -> bool:
        c = self._cmp(member, 0, self.min, self.min_is_inf)
        return c > 0 if self.minex else c >= 0

    def lte_max(self, member: str) -> bool:
        c = self._cmp(member, 0, self.max, self.max_is_inf)
        return c < 0 if self.maxex else c <= 0

    def empty(self) -> bool:
        c = self._cmp(self.min, self.min_is_inf, self.max, self.max_is_inf)
        return c > 0 or (c == 0 and (self.minex or self.maxex))


def parse_lex_item(text: str) -> tuple[str, bool, int] | None:
    """``zslParseLexRangeItem``: ``(text, exclusive, inf)`` or None when not a valid item."""
    if text == "+":
        return "", True, 1
    if text == "-":
        return "", True, -1
    if text[:1] == "(":
        return text[1:], True, 0
    if text[:1] == "[":
        return text[1:], False, 0
    return None


def parse_lex_range(lo: str, hi: str) -> LexRange | None:
    """``zslParseLexRange``: None when either bound is not "-", "+", "(text" or "[text"."""
    a, b = parse_lex_item(lo), parse_lex_item(hi)
    if a is None or b is None:
        return None
    return LexRange(a[0], b[0], a[1], max_is_inf=b[2], min_is_inf=a[2], maxex=b[1])


# ---------------------------------------------------------------------- skiplist
class ZSkiplistNode:
    """One node: a member, its score, a backward pointer, and per level a forward + span."""

    __slots__ = ("ele", "score", "backward", "forward", "span")

    def __init__(self, level: int, score: float, ele: str) -> None:
        self.ele = ele
        self.score = score
        self.backward: ZSkiplistNode | None = None
        self.forward: list[ZSkiplistNode | None] = [None] * level
        self.span: list[int] = [0] * level


def _before(node: ZSkiplistNode, score: float, ele: str) -> bool:
    """True when ``node`` sorts before (score, ele): the skiplist's order."""
    return node.score < score or (node.score == score and node.ele < ele)


class ZSkiplist:
    """``zskiplist``: the ordered half of the skiplist encoding (ranks are 1-based)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.header = ZSkiplistNode(ZSKIPLIST_MAXLEVEL, 0.0, "")
        self.tail: ZSkiplistNode | None = None
        self.length = 0
        self.level = 1

    def random_level(self) -> int:
        """``zslRandomLevel``: 1, plus one more level with probability 1/4 each time."""
        level = 1
        while self.rng.random() < ZSKIPLIST_P and level < ZSKIPLIST_MAXLEVEL:
            level += 1
        return level

    def _search(self, score: float, ele: str) -> tuple[list[ZSkiplistNode], list[int]]:
        """The last node before (score, ele) on each level, and its rank."""
        update: list[ZSkiplistNode] = [self.header] * ZSKIPLIST_MAXLEVEL
        rank = [0] * ZSKIPLIST_MAXLEVEL
        x = self.header
        for i in range(self.level - 1, -1, -1):
            rank[i] = 0 if i == self.level - 1 else rank[i + 1]
            nxt = x.forward[i]
            while nxt is not None and _before(nxt, score, ele):
                rank[i] += x.span[i]
                x = nxt
                nxt = x.forward[i]
            update[i] = x
        return update, rank

    def insert(self, score: float, ele: str) -> ZSkiplistNode:
        """``zslInsert``: add a member known to be absent."""
        update, rank = self._search(score, ele)
        level = self.random_level()
        if level > self.level:
            for i in range(self.level, level):
                rank[i] = 0
                update[i] = self.header
                update[i].span[i] = self.length
            self.level = level
        x = ZSkiplistNode(level, score, ele)
        for i in range(level):
            x.forward[i] = update[i].forward[i]
            update[i].forward[i] = x
            x.span[i] = update[i].span[i] - (rank[0] - rank[i])
            update[i].span[i] = (rank[0] - rank[i]) + 1
        for i in range(level, self.level):
            update[i].span[i] += 1  # untouched levels jump over one more node
        x.backward = None if update[0] is self.header else update[0]
        if x.forward[0] is not None:
            x.forward[0].backward = x
        else:
            self.tail = x
        self.length += 1
        return x

    def _unlink(self, x: ZSkiplistNode, update: list[ZSkiplistNode]) -> None:
        """``zslDeleteNode``."""
        for i in range(self.level):
            if update[i].forward[i] is x:
                update[i].span[i] += x.span[i] - 1
                update[i].forward[i] = x.forward[i]
            else:
                update[i].span[i] -= 1
        if x.forward[0] is not None:
            x.forward[0].backward = x.backward
        else:
            self.tail = x.backward
        while self.level > 1 and self.header.forward[self.level - 1] is None:
            self.level -= 1
        self.length -= 1

    def delete(self, score: float, ele: str) -> bool:
        """``zslDelete``: remove the node with this score and member, if present."""
        update, _ = self._search(score, ele)
        x = update[0].forward[0]
        if x is not None and x.score == score and x.ele == ele:
            self._unlink(x, update)
            return True
        return False

    def update_score(self, curscore: float, ele: str, newscore: float) -> ZSkiplistNode:
        """``zslUpdateScore``: re-position a member (in place when the order still holds)."""
        update, _ = self._search(curscore, ele)
        x = update[0].forward[0]
        assert x is not None and x.score == curscore and x.ele == ele
        prev_ok = x.backward is None or x.backward.score < newscore
        nxt = x.forward[0]
        next_ok = nxt is None or nxt.score > newscore
        if prev_ok and next_ok:
            x.score = newscore
            return x
        self._unlink(x, update)
        return self.insert(newscore, ele)

    def rank_of(self, score: float, ele: str) -> int:
        """``zslGetRank``: the 1-based rank of (score, ele), or 0 when absent."""
        rank = 0
        x = self.header
        for i in range(self.level - 1, -1, -1):
            nxt = x.forward[i]
            while nxt is not None and (
                _before(nxt, score, ele) or (nxt.score == score and nxt.ele == ele)
            ):
                rank += x.span[i]
                x = nxt
                if x.ele == ele and x.score == score:
                    return rank
                nxt = x.forward[i]
        return 0

    def by_rank(self, rank: int) -> ZSkiplistNode | None:
        """``zslGetElementByRank``: the node at 1-based ``rank``, following the spans."""
        traversed = 0
        x = self.header
        for i in range(self.level - 1, -1, -1):
            nxt = x.forward[i]
            while nxt is not None and traversed + x.span[i] <= rank:
                traversed += x.span[i]
                x = nxt
                nxt = x.forward[i]
            if traversed == rank:
                return x
        return None

    def first_where(self, before: Callable[[ZSkiplistNode], bool]) -> int:
        """How many nodes satisfy ``before`` when those form a prefix of the list (the rank
        of the last one), found top lane first as ``zslFirstInRange`` does."""
        rank = 0
        x = self.header
        for i in range(self.level - 1, -1, -1):
            nxt = x.forward[i]
            while nxt is not None and before(nxt):
                rank += x.span[i]
                x = nxt
                nxt = x.forward[i]
        return rank

    def __iter__(self) -> Iterator[ZSkiplistNode]:
        x = self.header.forward[0]
        while x is not None:
            yield x
            x = x.forward[0]


# ------------------------------------------------------------------------ the value
class RedisZSet(Value):
    """A Redis sorted set value: ``encoding`` is ``"listpack"`` or ``"skiplist"``."""

    type_name = "zset"
    __slots__ = ("rng", "max_entries", "max_value", "_lp", "_zsl", "_dict", "_bytes")

    def __init__(
        self,
        rng: random.Random,
        listpack: bool = True,
        max_entries: int = ZSET_MAX_LISTPACK_ENTRIES,
        max_value: int = ZSET_MAX_LISTPACK_VALUE,
    ) -> None:
        self.rng = rng
        self.max_entries = max_entries
        self.max_value = max_value
        self._bytes = 0  # the members' bytes (a running total for memory_usage)
        self._lp: list[tuple[float, str]] | None = [] if listpack and max_entries > 0 else None
        self._zsl: ZSkiplist | None = None if self._lp is not None else ZSkiplist(rng)
        self._dict: HashTable | None = None if self._lp is not None else HashTable()

    @classmethod
    def for_member(cls, rng: random.Random, first: str, **limits: int) -> RedisZSet:
        """ZADD's new key: a skiplist straight away when the first member is too long."""
        z = cls(rng, **limits)
        if z._lp is not None and byte_len(first) > z.max_value:  # createZsetObject
            z._convert_to_skiplist()
        return z

    # ------------------------------------------------------------------ encoding
    def encoding(self) -> str:
        """``OBJECT ENCODING``: ``listpack`` or ``skiplist``."""
        return "listpack" if self._lp is not None else "skiplist"

    def _convert_to_skiplist(self) -> None:
        """``zsetConvert(zobj, OBJ_ENCODING_SKIPLIST)``."""
        assert self._lp is not None
        pairs, self._lp = self._lp, None
        self._zsl, self._dict = ZSkiplist(self.rng), HashTable()
        for score, ele in pairs:
            self._zsl.insert(score, ele)
            self._dict.set(ele, score)

    def compact_if_fits(self) -> None:
        """``zsetConvertToListpackIfNeeded``: a new result goes back to a listpack if small."""
        if self._lp is not None or len(self) > self.max_entries:
            return
        assert self._zsl is not None
        if any(byte_len(n.ele) > self.max_value for n in self._zsl):
            return
        self._lp = [(n.score + 0.0, n.ele) for n in self._zsl]  # a listpack stores -0 as 0
        self._zsl = self._dict = None

    # ------------------------------------------------------------------ lookups
    def __len__(self) -> int:
        return len(self._lp) if self._lp is not None else self._zsl.length  # type: ignore[union-attr]

    def _lp_index(self, member: str) -> int:
        """``zzlFind``: a linear scan of the listpack for ``member`` (-1 when absent)."""
        for i, (_, ele) in enumerate(self._lp):  # type: ignore[arg-type]
            if ele == member:
                return i
        return -1

    def score(self, member: str) -> float | None:
        """``zsetScore``: the member's score or None."""
        if self._lp is not None:
            i = self._lp_index(member)
            return None if i < 0 else self._lp[i][0]
        return self._dict.get(member)  # type: ignore[union-attr]

    def rank(self, member: str, reverse: bool = False) -> int | None:
        """``zsetRank``: 0-based rank (from the top when ``reverse``), or None."""
        if self._lp is not None:
            i = self._lp_index(member)
            if i < 0:
                return None
        else:
            score = self._dict.get(member)  # type: ignore[union-attr]
            if score is None:
                return None
            i = self._zsl.rank_of(score, member) - 1  # type: ignore[union-attr]
        return len(self) - 1 - i if reverse else i

    # ------------------------------------------------------------------ updates
    def add(self, score: float, member: str, flags: int = 0) -> tuple[int, float]:
        """``zsetAdd``: returns ``(out_flags, new score)``; OUT_NAN when an increment gives NaN
        (nothing is changed then). NX/XX/GT/LT/INCR are the ADD_* flags."""
        cur = self.score(member)
        if cur is not None:
            if flags & ADD_NX:
                return OUT_NOP, cur
            if flags & ADD_INCR:
                score += cur
                if math.isnan(score):
                    return OUT_NAN, cur
            if (flags & ADD_LT and score >= cur) or (flags & ADD_GT and score <= cur):
                return OUT_NOP, cur
            if score == cur:
                return 0, score
            if self._lp is not None:
                del self._lp[self._lp_index(member)]
                bisect.insort(self._lp, (score + 0.0, member))  # -0 is stored as 0
            else:
                self._zsl.update_score(cur, member, score)  # type: ignore[union-attr]
                self._dict.set(member, score)  # type: ignore[union-attr]
            return OUT_UPDATED, score
        if flags & ADD_XX:
            return OUT_NOP, score
        if self._lp is not None and (
            len(self._lp) + 1 > self.max_entries or byte_len(member) > self.max_value
        ):
            self._convert_to_skiplist()
        if self._lp is not None:
            bisect.insort(self._lp, (score + 0.0, member))  # -0 is stored as 0
        else:
            self._zsl.insert(score, member)  # type: ignore[union-attr]
            self._dict.set(member, score)  # type: ignore[union-attr]
        self._bytes += byte_len(member)
        return OUT_ADDED, score

    def delete(self, member: str) -> bool:
        """``zsetDel``: True when the member was there."""
        if self._lp is not None:
            i = self._lp_index(member)
            if i < 0:
                return False
            del self._lp[i]
            self._bytes -= byte_len(member)
            return True
        score = self._dict.get(member)  # type: ignore[union-attr]
        if score is None:
            return False
        self._dict.delete(member)  # type: ignore[union-attr]
        self._zsl.delete(score, member)  # type: ignore[union-attr]
        self._bytes -= byte_len(member)
        if self._dict.needs_shrink():  # type: ignore[union-attr]
            self._dict.shrink_to_fit()  # type: ignore[union-attr]
        return True

    # ------------------------------------------------------------------ ranges
    def count_before(self, before: Callable[[float, str], bool]) -> int:
        """How many members (in order) satisfy ``before``, which must hold for a prefix."""
        if self._lp is not None:
            return bisect.bisect_left(self._lp, True, key=lambda p: not before(p[0], p[1]))
        return self._zsl.first_where(lambda n: before(n.score, n.ele))  # type: ignore[union-attr]

    def score_span(self, spec: ScoreRange) -> tuple[int, int]:
        """0-based ranks ``[first, end)`` of the members inside a score range."""
        first = self.count_before(lambda s, e: not spec.gte_min(s))
        end = self.count_before(lambda s, e: spec.lte_max(s))
        return first, max(first, end)

    def lex_span(self, spec: LexRange) -> tuple[int, int]:
        """0-based ranks ``[first, end)`` of the members inside a lex range (equal scores)."""
        if spec.empty():
            return 0, 0
        first = self.count_before(lambda s, e: not spec.gte_min(e))
        end = self.count_before(lambda s, e: spec.lte_max(e))
        return first, max(first, end)

    def range_by_rank(self, start: int, end: int, reverse: bool = False) -> list[tuple[str, float]]:
        """Members with 0-based ranks ``start..end`` inclusive (already clamped), as
        ``(member, score)``; ``reverse`` counts ranks from the highest score."""
        n = len(self)
        if start > end or start >= n:
            return []
        end = min(end, n - 1)
        lo, hi = (n - 1 - end, n - 1 - start) if reverse else (start, end)
        if self._lp is not None:
            out = [(e, s) for s, e in self._lp[lo : hi + 1]]
        else:
            node = self._zsl.by_rank(lo + 1)  # type: ignore[union-attr]
            out = []
            for _ in range(hi - lo + 1):
                assert node is not None
                out.append((node.ele, node.score))
                node = node.forward[0]
        return out[::-1] if reverse else out

    def items(self) -> Iterator[tuple[str, float]]:
        """``(member, score)`` in order."""
        if self._lp is not None:
            return ((e, s) for s, e in list(self._lp))
        return ((n.ele, n.score) for n in list(self._zsl))  # type: ignore[arg-type]

    def random_pair(self) -> tuple[str, float]:
        """A random ``(member, score)``: uniform for a listpack, ``dictGetFairRandomKey``."""
        if self._lp is not None:
            s, e = self._lp[self.rng.randrange(len(self._lp))]
            return e, s
        ele = self._dict.fair_random_key(self.rng)  # type: ignore[union-attr]
        assert ele is not None
        return ele, self._dict.get(ele)  # type: ignore[union-attr]

    def scan(self, cursor: int, count: int, emit: Callable[[str, float], None]) -> int:
        """One ZSCAN step: a listpack whole (cursor 0), a skiplist's dict by cursor."""
        if self._lp is not None:
            for s, e in self._lp:
                emit(e, s)
            return 0
        table = self._dict
        assert table is not None
        found = 0

        def counting(key: str) -> None:
            nonlocal found
            found += 1
            emit(key, table.get(key))

        budget = count * 10
        while True:
            cursor = table.scan(cursor, counting)
            budget -= 1
            if not (cursor and budget > 0 and found < count):
                return cursor

    def memory_usage(self) -> int:
        """Estimated bytes, O(1): the listpack, or the skiplist nodes, the dict and members."""
        n = len(self)
        if self._lp is not None:
            return LISTPACK_HEADER + n * LISTPACK_PAIR + self._bytes
        buckets = 8 * self._dict.size  # type: ignore[union-attr]
        return SKIPLIST_BYTES + buckets + n * SKIPLIST_PAIR + self._bytes

    def copy(self) -> RedisZSet:
        other = RedisZSet(self.rng, self._lp is not None, self.max_entries, self.max_value)
        if self._lp is not None:
            other._lp = list(self._lp)
            other._bytes = self._bytes
        else:
            for e, s in self.items():
                other.add(s, e)
        return other
