"""How often does mlgrader.complexity.estimate label a known function right, and how fast?

Runs `estimate` on a small corpus of functions whose complexity is known (dict and
list operations, LRU caches, sorting, nested loops, naive Fibonacci), prints one line
per function, then the label accuracy and the seconds per estimate. With ``--checks``
it also runs `check` against each true class and counts false failures, which must
be zero.

    python benchmarks/complexity_accuracy.py [--budget 3.0] [--checks] [--only NAME]
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import random
import statistics
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from mlgrader.complexity import check, estimate


class _Node:
    __slots__ = ("key", "next", "prev", "value")

    def __init__(self, key: int, value: int) -> None:
        self.key, self.value = key, value
        self.prev: Any = None
        self.next: Any = None


class LinkedLRU:
    """O(1) get/put: dict + doubly linked list."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.map: dict[int, _Node] = {}
        self.head, self.tail = _Node(-1, -1), _Node(-1, -1)
        self.head.next, self.tail.prev = self.tail, self.head

    def _move_front(self, node: _Node, *, unlink: bool) -> None:
        if unlink:
            node.prev.next, node.next.prev = node.next, node.prev
        node.prev, node.next = self.head, self.head.next
        self.head.next.prev = node
        self.head.next = node

    def get(self, key: int) -> int:
        node = self.map.get(key)
        if node is None:
            return -1
        self._move_front(node, unlink=True)
        return int(node.value)

    def put(self, key: int, value: int) -> None:
        node = self.map.get(key)
        if node is not None:
            node.value = value
            self._move_front(node, unlink=True)
            return
        if len(self.map) >= self.capacity:
            lru = self.tail.prev
            lru.prev.next, self.tail.prev = self.tail, lru.prev
            del self.map[lru.key]
        node = _Node(key, value)
        self.map[key] = node
        self._move_front(node, unlink=False)


class OrderedDictLRU:
    """O(1) get/put: OrderedDict."""

    def __init__(self, capacity: int) -> None:
        self.capacity, self.data = capacity, OrderedDict[int, int]()

    def get(self, key: int) -> int:
        if key not in self.data:
            return -1
        self.data.move_to_end(key)
        return self.data[key]

    def put(self, key: int, value: int) -> None:
        if key in self.data:
            self.data.move_to_end(key)
        self.data[key] = value
        if len(self.data) > self.capacity:
            self.data.popitem(last=False)


class ListLRU:
    """O(n) get/put: recency in a list (remove + append, evict with pop(0))."""

    def __init__(self, capacity: int) -> None:
        self.capacity, self.data, self.order = capacity, dict[int, int](), list[int]()

    def get(self, key: int) -> int:
        if key not in self.data:
            return -1
        self.order.remove(key)
        self.order.append(key)
        return self.data[key]

    def put(self, key: int, value: int) -> None:
        if key in self.data:
            self.order.remove(key)
        elif len(self.data) >= self.capacity:
            del self.data[self.order.pop(0)]
        self.data[key] = value
        self.order.append(key)


def _full(cls: Callable[[int], Any]) -> Callable[[int], dict[str, Any]]:
    def make(n: int) -> dict[str, Any]:
        cache = cls(n)
        for i in range(n):
            cache.put(i, i)
        return {"cache": cache, "next": n}

    return make


def _lru_op(state: dict[str, Any]) -> None:
    key = state["next"]
    state["next"] = key + 1
    state["cache"].put(key, key)
    state["cache"].get(key - 1)


def _random_dict(n: int) -> tuple[dict[int, int], Any]:
    keys = list(range(0, 7 * n, 7))
    table = dict(zip(keys, keys, strict=True))
    random.Random(n).shuffle(keys)
    return table, itertools.cycle(keys)


def _shuffled(n: int) -> list[int]:
    items = list(range(n))
    random.Random(n).shuffle(items)
    return items


def _python_sum(items: list[int]) -> int:
    total = 0
    for x in items:
        total += x
    return total


def _double_loop(items: list[int]) -> int:
    total = 0
    for a in items:
        for b in items:
            total += a ^ b
    return total


def _triple_loop(n: int) -> int:
    total = 0
    for _ in range(n):
        for _ in range(n):
            for _ in range(n):
                total += 1
    return total


def _fib(n: int) -> int:
    return n if n < 2 else _fib(n - 1) + _fib(n - 2)


def _list(n: int) -> list[int]:
    return list(range(n))


CORPUS: list[tuple[str, Callable[[Any], object], Callable[[int], Any], str]] = [
    ("dict.get (miss)", lambda d: d.get(-1), lambda n: dict.fromkeys(range(n)), "O(1)"),
    ("dict[k] random keys", lambda s: s[0][next(s[1])], _random_dict, "O(1)"),
    ("len(list)", len, _list, "O(1)"),
    ("LRU dict+linked list", _lru_op, _full(LinkedLRU), "O(1)"),
    ("LRU OrderedDict", _lru_op, _full(OrderedDictLRU), "O(1)"),
    ("bisect_left", lambda xs: bisect.bisect_left(xs, len(xs) // 3), _list, "O(log n)"),
    ("LRU list-based", _lru_op, _full(ListLRU), "O(n)"),
    ("x in list", lambda xs: -1 in xs, _list, "O(n)"),
    ("sum(list)", sum, _list, "O(n)"),
    ("python for-loop sum", _python_sum, _list, "O(n)"),
    ("str.join", "".join, lambda n: ["ab"] * n, "O(n)"),
    ("sorted(shuffled)", sorted, _shuffled, "O(n log n)"),
    ("double loop", _double_loop, _list, "O(n^2)"),
    ("triple loop", _triple_loop, lambda n: n, "O(n^3)"),
    ("naive fib", _fib, lambda n: n, "O(2^n)"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=3.0, help="seconds per estimate")
    parser.add_argument("--checks", action="store_true", help="also check each true class")
    parser.add_argument("--only", action="append", default=[], help="run only this name")
    args = parser.parse_args()
    right, seconds, false_fails = 0, [], 0
    corpus = [c for c in CORPUS if not args.only or c[0] in args.only]
    print(f"{'function':22s} {'true':10s} {'measured':12s} slope  conf  sizes         secs")
    for name, func, make_input, true in corpus:
        start = time.perf_counter()
        est = estimate(func, make_input, time_budget=args.budget)
        seconds.append(time.perf_counter() - start)
        right += est.complexity == true
        mark = "" if est.complexity == true else "  <-- wrong"
        sizes = f"{est.sizes[0]}..{est.sizes[-1]}" if est.sizes else "-"
        print(
            f"{name:22s} {true:10s} {est.complexity:12s} {est.exponent:5.2f} "
            f"{est.confidence:5.2f} {sizes:13s} {seconds[-1]:4.2f}{mark}"
        )
        if args.checks:
            result = check(func, make_input, true, time_budget=args.budget)
            false_fails += not result.passed
            print(f"{'':22s} check: {result.verdict}: {result.message}")
    print(f"label accuracy: {right}/{len(corpus)} = {right / len(corpus):.0%}")
    print(
        f"seconds per estimate: mean {statistics.mean(seconds):.2f}, "
        f"max {max(seconds):.2f} (budget {args.budget})"
    )
    if args.checks:
        print(f"false failures of check(true class): {false_fails}")


if __name__ == "__main__":
    main()
