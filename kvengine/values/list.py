"""The list type (Redis's t_list.c on quicklist.c): a key holding a sequence of strings.

Redis 7.0 stores every list as a ``quicklist``, whatever its size (``OBJECT ENCODING`` always
says ``quicklist``; the small-list ``listpack`` encoding only arrived in 7.2). A quicklist is a
doubly linked list of *nodes*, each node a listpack (see :mod:`kvengine.listpack`) holding
several elements:

* pushing or popping at either end touches only the end node: O(1);
* a node is capped by ``list-max-listpack-size`` (``fill``): a negative value caps its bytes
  (-1: 4 KB, -2: 8 KB, the default, ... -5: 64 KB), a positive one caps its element count
  (and 8 KB stays a safety limit). A push that would overflow the end node starts a new one;
* indexing (``LINDEX``, ``LSET``, ``LINSERT``) walks the nodes, skipping a whole node at a time
  by its count, then walks inside one listpack: O(n) overall, but with few pointer hops.

So a quicklist trades a little CPU on middle access for much less memory than one linked node
per element (Redis's old ``linkedlist``), and avoids the giant memmove of one huge listpack.
The options of a list are fixed when it is created (``quicklistSetOptions``), as in Redis.

Here each node is a Python list with its listpack byte size beside it. Middle insertions go
into the node holding the pivot and split it in two if it is then over its cap (Redis also
tries the neighbour nodes and merges small ones; the elements and their order, which is all a
reply shows, are the same). Node compression (``list-compress-depth``) is not modelled.

    >>> q = QuickList(fill=-2)
    >>> for x in ["b", "c"]:
    ...     q.push_tail(x)
    >>> q.push_head("a"); len(q), q.index(0), q.index(-1), list(q)
    (3, 'a', 'c', ['a', 'b', 'c'])
    >>> q.pop_tail(), q.encoding()
    ('c', 'quicklist')
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from ..listpack import END_SIZE, HEADER_SIZE, entry_size
from ..memory import byte_len
from . import Value

LIST_MAX_LISTPACK_SIZE = -2  # redis.conf 7.0 default: 8 KB per node
OPTIMIZATION_LEVEL = (4096, 8192, 16384, 32768, 65536)  # bytes for fill -1 .. -5
SIZE_SAFETY_LIMIT = 8192
SIZE_ESTIMATE_OVERHEAD = 8
FILL_MAX = (1 << 15) - 1

QUICKLIST_SIZE = 40  # struct quicklist
NODE_SIZE = 32  # struct quicklistNode


class _Node:
    """One quicklist node: a listpack of elements and its byte size."""

    __slots__ = ("items", "size")

    def __init__(self, items: list[str]) -> None:
        self.items = items
        self.size = HEADER_SIZE + END_SIZE + sum(entry_size(x) for x in items)

    def resize(self) -> None:
        self.size = HEADER_SIZE + END_SIZE + sum(entry_size(x) for x in self.items)


class QuickList(Value):
    """A Redis list. Indexes are 0-based from the head; negative ones count from the tail."""

    __slots__ = ("_nodes", "_count", "_bytes", "fill")
    type_name: ClassVar[str] = "list"

    def __init__(self, fill: int = LIST_MAX_LISTPACK_SIZE) -> None:
        self._nodes: list[_Node] = []
        self._count = 0
        self._bytes = 0  # the nodes and their listpacks, kept as a running total
        self.fill = max(-len(OPTIMIZATION_LEVEL), min(fill, FILL_MAX))  # quicklistSetFill

    # ----------------------------------------------------------------- facts
    def encoding(self) -> str:
        return "quicklist"

    def __repr__(self) -> str:
        return f"<list quicklist, {self._count} elements>"

    def memory_usage(self) -> int:
        """Estimated bytes of the value: the quicklist header, its nodes and their listpacks."""
        return QUICKLIST_SIZE + self._bytes

    def _recount(self) -> None:
        """Recompute the running byte total (after an operation that reshaped many nodes)."""
        self._bytes = sum(NODE_SIZE + n.size for n in self._nodes)

    def node_count(self) -> int:
        return len(self._nodes)

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[str]:
        for node in self._nodes:
            yield from node.items

    def __reversed__(self) -> Iterator[str]:
        for node in reversed(self._nodes):
            yield from reversed(node.items)

    # ------------------------------------------------------------ node rules
    def _allow_insert(self, node: _Node, element: str) -> bool:
        """``_quicklistNodeAllowInsert``: may ``element`` join ``node`` under ``fill``?"""
        new_size = node.size + byte_len(element) + SIZE_ESTIMATE_OVERHEAD
        fill = self.fill
        if fill < 0:
            level = min(-fill, len(OPTIMIZATION_LEVEL)) - 1
            if new_size <= OPTIMIZATION_LEVEL[level]:
                return True
        if new_size > SIZE_SAFETY_LIMIT:
            return False
        return len(node.items) < fill

    def _over_limit(self, node: _Node) -> bool:
        """A node that a middle insertion left over its cap (it is then split)."""
        if len(node.items) < 2:
            return False
        fill = self.fill
        if fill < 0:
            return node.size > OPTIMIZATION_LEVEL[min(-fill, len(OPTIMIZATION_LEVEL)) - 1]
        return node.size > SIZE_SAFETY_LIMIT or len(node.items) > fill

    def _locate(self, index: int) -> tuple[int, int] | None:
        """(node number, offset in it) of element ``index`` (negative from the tail)."""
        if index < 0:
            index += self._count
        if not 0 <= index < self._count:
            return None
        if index < self._count // 2:
            for n, node in enumerate(self._nodes):
                if index < len(node.items):
                    return n, index
                index -= len(node.items)
        else:
            back = self._count - 1 - index
            for n in range(len(self._nodes) - 1, -1, -1):
                items = self._nodes[n].items
                if back < len(items):
                    return n, len(items) - 1 - back
                back -= len(items)
        return None  # not reached: the counts add up

    def _drop_if_empty(self, n: int) -> None:
        node = self._nodes[n]
        if not node.items:
            self._bytes -= NODE_SIZE + node.size
            del self._nodes[n]

    # ----------------------------------------------------------------- ends
    def push_head(self, element: str) -> None:
        if self._nodes and self._allow_insert(self._nodes[0], element):
            node = self._nodes[0]
            node.items.insert(0, element)
            node.size += entry_size(element)
            self._bytes += entry_size(element)
        else:
            node = _Node([element])
            self._nodes.insert(0, node)
            self._bytes += NODE_SIZE + node.size
        self._count += 1

    def push_tail(self, element: str) -> None:
        if self._nodes and self._allow_insert(self._nodes[-1], element):
            node = self._nodes[-1]
            node.items.append(element)
            node.size += entry_size(element)
            self._bytes += entry_size(element)
        else:
            node = _Node([element])
            self._nodes.append(node)
            self._bytes += NODE_SIZE + node.size
        self._count += 1

    def pop_head(self) -> str | None:
        if not self._nodes:
            return None
        node = self._nodes[0]
        element = node.items.pop(0)
        node.size -= entry_size(element)
        self._bytes -= entry_size(element)
        self._drop_if_empty(0)
        self._count -= 1
        return element

    def pop_tail(self) -> str | None:
        if not self._nodes:
            return None
        node = self._nodes[-1]
        element = node.items.pop()
        node.size -= entry_size(element)
        self._bytes -= entry_size(element)
        self._drop_if_empty(len(self._nodes) - 1)
        self._count -= 1
        return element

    # --------------------------------------------------------------- middle
    def index(self, index: int) -> str | None:
        """``quicklistGetIteratorEntryAtIdx``: the element at ``index``, or None."""
        where = self._locate(index)
        if where is None:
            return None
        n, offset = where
        return self._nodes[n].items[offset]

    def replace(self, index: int, element: str) -> bool:
        """``quicklistReplaceAtIndex`` (LSET): False when ``index`` is out of range."""
        where = self._locate(index)
        if where is None:
            return False
        n, offset = where
        node = self._nodes[n]
        delta = entry_size(element) - entry_size(node.items[offset])
        node.size += delta
        self._bytes += delta
        node.items[offset] = element
        self._split_if_needed(n)
        return True

    def _split_if_needed(self, n: int) -> None:
        node = self._nodes[n]
        if self._over_limit(node):
            half = len(node.items) // 2
            tail = _Node(node.items[half:])
            del node.items[half:]
            node.resize()
            self._nodes.insert(n + 1, tail)
            self._recount()

    def insert(self, pivot: str, element: str, after: bool) -> bool:
        """LINSERT: put ``element`` before/after the first ``pivot`` from the head."""
        for n, node in enumerate(self._nodes):
            try:
                offset = node.items.index(pivot)
            except ValueError:
                continue
            node.items.insert(offset + 1 if after else offset, element)
            node.size += entry_size(element)
            self._bytes += entry_size(element)
            self._count += 1
            self._split_if_needed(n)
            return True
        return False

    def range(self, start: int, stop: int, reverse: bool = False) -> list[str]:
        """Elements ``start..stop`` inclusive (non-negative, already clamped), from the head,
        or from ``stop`` back to ``start`` when ``reverse``."""
        out: list[str] = []
        skip = start
        want = stop - start + 1
        for node in self._nodes:
            items = node.items
            if skip >= len(items):
                skip -= len(items)
                continue
            chunk = items[skip : skip + want]
            out += chunk
            want -= len(chunk)
            skip = 0
            if want <= 0:
                break
        if reverse:
            out.reverse()
        return out

    def delete_range(self, start: int, count: int) -> int:
        """``quicklistDelRange``: delete ``count`` elements from ``start`` (negative from the
        tail); returns how many went."""
        if count <= 0 or self._count == 0:
            return 0
        if start < 0:
            start += self._count
        if start < 0 or start >= self._count:
            return 0
        count = min(count, self._count - start)
        removed = 0
        n = 0
        skip = start
        while n < len(self._nodes) and removed < count:
            node = self._nodes[n]
            size = len(node.items)
            if skip >= size:
                skip -= size
                n += 1
                continue
            take = min(size - skip, count - removed)
            del node.items[skip : skip + take]
            removed += take
            skip = 0
            if node.items:
                node.resize()
                n += 1
            else:
                del self._nodes[n]
        self._count -= removed
        self._recount()
        return removed

    def remove(self, element: str, count: int) -> int:
        """LREM: remove up to ``count`` copies of ``element`` (all when 0), from the head, or
        from the tail when ``count`` is negative; returns how many."""
        limit = abs(count)
        removed = 0
        order = range(len(self._nodes))
        for n in order if count >= 0 else reversed(order):
            node = self._nodes[n]
            if element not in node.items:
                continue
            positions = [i for i, x in enumerate(node.items) if x == element]
            if count < 0:
                positions.reverse()
            if limit:
                positions = positions[: limit - removed]
            for i in sorted(positions, reverse=True):
                del node.items[i]
            removed += len(positions)
            node.resize()
            if limit and removed >= limit:
                break
        self._nodes = [node for node in self._nodes if node.items]
        self._count -= removed
        self._recount()
        return removed
