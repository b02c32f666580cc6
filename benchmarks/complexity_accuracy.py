"""How well does mlgrader.complexity label and check functions of known complexity?

Runs `estimate`, `check(expected=true class)` and `check(expected=next better class)`
on a corpus of ~45 functions whose complexity is known (Python loops, C builtins,
numpy, recursion, hash maps, heaps, sorts, large and small constant factors) and,
if installed, the ``big_O`` package (``pip install big-O``) on the same corpus.
Prints one row per function, then side by side: label accuracy, false fails of
check(true class), false passes of check(next better class), stability over
``--repeat`` repetitions and seconds per estimate. big_O has no check, so for it a
"false fail" is a fitted class worse than the true one and a "false pass" a fitted
class no worse than the next better class. ``--load`` keeps a CPU hog busy on
another core for the whole run.

    python benchmarks/complexity_accuracy.py [--budget 3.0] [--repeat 5] [--only NAME]
        [--no-big-o] [--load]
"""

from __future__ import annotations

import argparse
import bisect
import contextlib
import heapq
import itertools
import math
import random
import signal
import statistics
import subprocess
import sys
import time
from collections import Counter, OrderedDict, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mlgrader.complexity import CLASSES, check, estimate

try:
    import big_o
except ImportError:  # optional: pip install big-O
    big_o = None


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


# ---------------------------------------------------------------- inputs


def _random_dict(n: int) -> tuple[dict[int, int], Any]:
    keys = list(range(0, 7 * n, 7))
    table = dict(zip(keys, keys, strict=True))
    random.Random(n).shuffle(keys)
    return table, itertools.cycle(keys)


def _shuffled(n: int) -> list[int]:
    items = list(range(n))
    random.Random(n).shuffle(items)
    return items


def _list(n: int) -> list[int]:
    return list(range(n))


def _ident(n: int) -> int:
    return n


def _array(n: int) -> np.ndarray:
    return np.random.default_rng(n).random(n)


def _heap(n: int) -> list[int]:
    heap = _shuffled(n)
    heapq.heapify(heap)
    return heap


def _matvec_input(n: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(n)
    return rng.random((n, n)), rng.random(n)


def _matrices(n: int) -> tuple[list[list[float]], list[list[float]]]:
    rng = random.Random(n)
    a = [[rng.random() for _ in range(n)] for _ in range(n)]
    b = [[rng.random() for _ in range(n)] for _ in range(n)]
    return a, b


# ---------------------------------------------------------------- functions


def _heavy_constant(items: list[int]) -> int:
    total = 0
    for i in range(2000):  # independent of n
        total += i * i % 7
    return total + len(items)


def _python_bisect(items: list[int]) -> int:
    target, lo, hi = len(items) // 3, 0, len(items)
    while lo < hi:
        mid = (lo + hi) // 2
        if items[mid] < target:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _recursive_bsearch(items: list[int], target: int = -2, lo: int = 0, hi: int = -1) -> int:
    if hi == -1:
        target, hi = len(items) // 3, len(items)
    if lo >= hi:
        return lo
    mid = (lo + hi) // 2
    if items[mid] < target:
        return _recursive_bsearch(items, target, mid + 1, hi)
    return _recursive_bsearch(items, target, lo, mid)


def _halvings(n: int) -> int:
    count = 0
    while n > 1:
        n //= 2
        count += 1
    return count


def _heap_pop_push(heap: list[int]) -> None:
    smallest = heapq.heappop(heap)  # sifts a leaf down the whole height: O(log n)
    heapq.heappush(heap, smallest + len(heap))


def _python_sum(items: list[int]) -> int:
    total = 0
    for x in items:
        total += x
    return total


def _heavy_loop(items: list[int]) -> int:
    total = 0
    for x in items:
        y = x
        for _ in range(20):  # constant per item
            y = (y * 31 + 7) % 1009
        total += y
    return total


def _recursive_sum(items: list[int], lo: int = 0, hi: int = -1) -> int:
    if hi == -1:
        hi = len(items)
    if hi - lo <= 1:
        return items[lo] if hi > lo else 0
    mid = (lo + hi) // 2
    return _recursive_sum(items, lo, mid) + _recursive_sum(items, mid, hi)


def _insert_front(items: list[int]) -> None:
    items.insert(0, 1)
    items.pop()


def _append_pop(items: list[int]) -> None:
    items.append(1)
    items.pop()


def _deque_op(items: deque[int]) -> None:
    items.appendleft(1)
    items.pop()


def _count_words(items: list[int]) -> int:
    counts: dict[int, int] = {}
    for x in items:
        key = x % 1000
        counts[key] = counts.get(key, 0) + 1
    return len(counts)


def _merge_sort(items: list[int]) -> list[int]:
    if len(items) <= 1:
        return items
    mid = len(items) // 2
    left, right = _merge_sort(items[:mid]), _merge_sort(items[mid:])
    out, i, j = [], 0, 0
    while i < len(left) and j < len(right):
        if left[i] <= right[j]:
            out.append(left[i])
            i += 1
        else:
            out.append(right[j])
            j += 1
    out.extend(left[i:])
    out.extend(right[j:])
    return out


def _heap_sort(items: list[int]) -> list[int]:
    heap = list(items)
    heapq.heapify(heap)
    return [heapq.heappop(heap) for _ in range(len(heap))]


def _double_loop(items: list[int]) -> int:
    total = 0
    for a in items:
        for b in items:
            total += a ^ b
    return total


def _insertion_sort(items: list[int]) -> list[int]:
    out = list(items)  # reversed input: the worst case
    for i in range(1, len(out)):
        x, j = out[i], i - 1
        while j >= 0 and out[j] > x:
            out[j + 1] = out[j]
            j -= 1
        out[j + 1] = x
    return out


def _build_by_front_insert(n: int) -> int:
    items: list[int] = []
    for i in range(n):
        items.insert(0, i)
    return len(items)


def _triple_loop(n: int) -> int:
    total = 0
    for _ in range(n):
        for _ in range(n):
            for _ in range(n):
                total += 1
    return total


def _matmul(ab: tuple[list[list[float]], list[list[float]]]) -> float:
    a, b = ab
    n = len(a)
    total = 0.0
    for i in range(n):
        for j in range(n):
            s = 0.0
            for k in range(n):
                s += a[i][k] * b[k][j]
            total += s
    return total


def _fib(n: int) -> int:
    return n if n < 2 else _fib(n - 1) + _fib(n - 2)


def _subsets(n: int) -> int:
    return 1 if n == 0 else _subsets(n - 1) + _subsets(n - 1)


def _fast_power(n: int) -> int:
    """3**n mod p by repeated squaring, in Python: O(log n) multiplications."""
    result, base, exp = 1, 3, n
    while exp:
        if exp & 1:
            result = result * base % 1_000_003
        base = base * base % 1_000_003
        exp >>= 1
    return result


class _PyHeap:
    """A binary min-heap written in Python: push and pop are O(log n)."""

    def __init__(self, items: list[int]) -> None:
        self.items = sorted(items)

    def push(self, x: int) -> None:
        items = self.items
        items.append(x)
        i = len(items) - 1
        while i and items[(i - 1) // 2] > items[i]:
            parent = (i - 1) // 2
            items[i], items[parent] = items[parent], items[i]
            i = parent

    def pop(self) -> int:
        items = self.items
        top, last = items[0], items.pop()
        if items:
            items[0] = last
            i, n = 0, len(items)
            while True:
                child = 2 * i + 1
                if child >= n:
                    break
                if child + 1 < n and items[child + 1] < items[child]:
                    child += 1
                if items[i] <= items[child]:
                    break
                items[i], items[child] = items[child], items[i]
                i = child
        return top


def _pyheap_op(heap: _PyHeap) -> None:
    heap.push(heap.pop() + len(heap.items))


def _quicksort(items: list[int]) -> list[int]:
    if len(items) <= 1:
        return items
    pivot = items[len(items) // 2]
    return (
        _quicksort([x for x in items if x < pivot])
        + [x for x in items if x == pivot]
        + _quicksort([x for x in items if x > pivot])
    )


def _bubble_sort(items: list[int]) -> list[int]:
    out = list(items)
    for i in range(len(out)):
        for j in range(len(out) - 1 - i):
            if out[j] > out[j + 1]:
                out[j], out[j + 1] = out[j + 1], out[j]
    return out


def _powerset_size(n: int) -> int:
    return sum(1 for r in range(n + 1) for _ in itertools.combinations(range(n), r))


def _two_sum_sorted(items: list[int]) -> bool:
    """Two pointers over a sorted list: O(n)."""
    lo, hi, target = 0, len(items) - 1, -1
    while lo < hi:
        s = items[lo] + items[hi]
        if s == target:
            return True
        if s < target:
            lo += 1
        else:
            hi -= 1
    return False


# ---------------------------------------------------------------- corpus


@dataclass(frozen=True)
class Case:
    """One function of known class; ``bigo_n`` is the (min_n, max_n) range given to big_O."""

    name: str
    true: str
    func: Callable[[Any], object]
    make_input: Callable[[int], Any]
    bigo_n: tuple[int, int] = (100, 100_000)
    max_n: int = 10**6  # for mlgrader: cap where inputs would use too much memory


SMALL = (10, 1000)  # big_O range for Python O(n^2)
CUBIC = (5, 80)
EXPO = (4, 20)

CORPUS: list[Case] = [
    # O(1)
    Case("dict.get (miss)", "O(1)", lambda d: d.get(-1), lambda n: dict.fromkeys(range(n))),
    Case("dict[k] random keys", "O(1)", lambda s: s[0][next(s[1])], _random_dict),
    Case("set membership (hit)", "O(1)", lambda s: 12345 in s, lambda n: set(range(n))),
    Case("len(list)", "O(1)", len, _list),
    Case("list[i]", "O(1)", lambda xs: xs[len(xs) // 2], _list),
    Case("list.append+pop", "O(1)", _append_pop, _list),
    Case("deque appendleft+pop", "O(1)", _deque_op, lambda n: deque(range(n))),
    Case("numpy a[i]", "O(1)", lambda a: a[len(a) // 2], _array),
    Case("LRU dict+linked list", "O(1)", _lru_op, _full(LinkedLRU)),
    Case("LRU OrderedDict", "O(1)", _lru_op, _full(OrderedDictLRU)),
    Case("O(1) heavy constant", "O(1)", _heavy_constant, _list),
    # O(log n)
    Case("bisect_left", "O(log n)", lambda xs: bisect.bisect_left(xs, len(xs) // 3), _list),
    Case("python bisection loop", "O(log n)", _python_bisect, _list),
    Case("recursive binary search", "O(log n)", _recursive_bsearch, _list),
    Case("halvings of int n", "O(log n)", _halvings, _ident),
    Case(
        "np.searchsorted",
        "O(log n)",
        lambda a: np.searchsorted(a, 0.3),
        lambda n: np.sort(_array(n)),
    ),
    Case("heappop+heappush", "O(log n)", _heap_pop_push, _heap),
    # O(n)
    Case("LRU list-based", "O(n)", _lru_op, _full(ListLRU)),
    Case("x in list (miss)", "O(n)", lambda xs: -1 in xs, _list),
    Case("list.insert(0)+pop", "O(n)", _insert_front, _list),
    Case("sum(list)", "O(n)", sum, _list),
    Case("max(list)", "O(n)", max, _shuffled),
    Case("python for-loop sum", "O(n)", _python_sum, _list),
    Case("python heavy per item", "O(n)", _heavy_loop, _list, (100, 20_000)),
    Case("recursive halving sum", "O(n)", _recursive_sum, _list, (100, 20_000)),
    Case("str.join", "O(n)", "".join, lambda n: ["ab"] * n),
    Case("list copy", "O(n)", lambda xs: xs[:], _list),
    Case("set(list)", "O(n)", set, _shuffled),
    Case("dict counting loop", "O(n)", _count_words, _shuffled),
    Case("np.sum", "O(n)", np.sum, _array),
    # O(n log n)
    Case("sorted(shuffled)", "O(n log n)", sorted, _shuffled),
    Case("np.sort", "O(n log n)", np.sort, _array),
    Case("python merge sort", "O(n log n)", _merge_sort, _shuffled, (100, 20_000)),
    Case("heapify+heappop all", "O(n log n)", _heap_sort, _shuffled, (100, 50_000)),
    # O(n^2)
    Case("double loop", "O(n^2)", _double_loop, _list, SMALL),
    Case("insertion sort (reversed)", "O(n^2)", _insertion_sort, lambda n: _list(n)[::-1], SMALL),
    Case(
        "x in list for each x", "O(n^2)", lambda xs: sum(x in xs for x in xs), _shuffled, (10, 3000)
    ),
    Case("n x list.insert(0)", "O(n^2)", _build_by_front_insert, _ident, (100, 50_000)),
    Case(
        "numpy matrix @ vector", "O(n^2)", lambda ab: ab[0] @ ab[1], _matvec_input, (10, 2000), 4096
    ),
    # O(n^3)
    Case("triple loop", "O(n^3)", _triple_loop, _ident, CUBIC),
    Case("python matrix multiply", "O(n^3)", _matmul, _matrices, CUBIC, 1024),
    # More of each class, added so the corpus is not only the cases the engine was tuned on
    Case("heap[0] peek", "O(1)", lambda h: h[0], _heap),
    Case("str[i]", "O(1)", lambda s: s[len(s) // 2], lambda n: "ab" * n),
    Case("set.add+discard", "O(1)", lambda s: (s.add(-5), s.discard(-5)), lambda n: set(range(n))),
    Case("python fast power", "O(log n)", _fast_power, _ident),
    Case("python binary heap op", "O(log n)", _pyheap_op, lambda n: _PyHeap(_shuffled(n))),
    Case("sorted(already sorted)", "O(n)", sorted, _list),
    Case("list.reverse", "O(n)", lambda xs: xs.reverse(), _list),
    Case("np.cumsum", "O(n)", np.cumsum, _array),
    Case("two pointers (sorted)", "O(n)", _two_sum_sorted, _list),
    Case("Counter(list)", "O(n)", lambda xs: len(Counter(xs)), _shuffled),
    Case("python quicksort", "O(n log n)", _quicksort, _shuffled, (100, 20_000)),
    Case("sorted with key", "O(n log n)", lambda xs: sorted(xs, key=lambda x: -x), _shuffled),
    Case("bubble sort", "O(n^2)", _bubble_sort, _shuffled, SMALL),
    Case(
        "numpy outer difference",
        "O(n^2)",
        lambda a: np.subtract.outer(a, a).sum(),
        _array,
        SMALL,
        8192,
    ),
    Case("itertools powerset", "O(2^n)", _powerset_size, _ident, EXPO),
    # O(2^n)
    Case("naive fib", "O(2^n)", _fib, _ident, EXPO),
    Case("subset recursion", "O(2^n)", _subsets, _ident, EXPO),
]


# ---------------------------------------------------------------- runners

SHORT = {
    "O(1)": "1",
    "O(log n)": "lg",
    "O(n)": "n",
    "O(n log n)": "nlg",
    "O(n^2)": "n2",
    "O(n^3)": "n3",
    "O(2^n)": "2^n",
}
BIG_O_NAMES = {
    "Constant": "O(1)",
    "Logarithmic": "O(log n)",
    "Linear": "O(n)",
    "Linearithmic": "O(n log n)",
    "Quadratic": "O(n^2)",
    "Cubic": "O(n^3)",
    "Exponential": "O(2^n)",
}


def _short(label: str) -> str:
    return SHORT.get(label, "?" if label == "inconclusive" else label)


def _rank(label: str) -> int:
    return CLASSES.index(label) if label in CLASSES else -1


def _better(true: str) -> str | None:
    """The next better class than ``true``, or None for O(1)."""
    rank = CLASSES.index(true)
    return CLASSES[rank - 1] if rank > 0 else None


@dataclass
class Runs:
    """Results of one tool on one case over the repetitions."""

    labels: list[str] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    true_passes: list[bool] = field(default_factory=list)  # check(true class) passed
    better_passes: list[bool] = field(default_factory=list)  # check(next better) passed
    better_verdicts: list[str] = field(default_factory=list)
    check_seconds: list[float] = field(default_factory=list)  # one per check() call


def _run_mlgrader(case: Case, budget: float, runs: Runs) -> str:
    start = time.perf_counter()
    try:
        est = estimate(case.func, case.make_input, time_budget=budget, max_n=case.max_n)
        label = est.complexity
    except Exception as exc:  # a broken corpus entry must not stop the benchmark
        label = f"error:{type(exc).__name__}"
    runs.seconds.append(time.perf_counter() - start)
    runs.labels.append(label)
    start = time.perf_counter()
    ok = check(case.func, case.make_input, case.true, time_budget=budget, max_n=case.max_n)
    runs.check_seconds.append(time.perf_counter() - start)
    runs.true_passes.append(ok.passed)
    better = _better(case.true)
    if better is not None:
        start = time.perf_counter()
        res = check(case.func, case.make_input, better, time_budget=budget, max_n=case.max_n)
        runs.check_seconds.append(time.perf_counter() - start)
        runs.better_passes.append(res.passed)
        runs.better_verdicts.append(res.verdict)
    return f"{label} ({runs.seconds[-1]:.1f}s) check true:{ok.verdict} " + (
        f"better:{res.verdict}" if better is not None else ""
    )


def _big_o_label(best: Any) -> str:
    name = type(best).__name__
    if name == "Polynomial":  # a * n^b: round b to the nearest polynomial class
        power = float(best.coefficients()[1])
        return ("O(1)", "O(n)", "O(n^2)", "O(n^3)")[min(3, max(0, round(power)))]
    return BIG_O_NAMES.get(name, name)


def _run_big_o(case: Case, runs: Runs) -> str:
    assert big_o is not None
    min_n, max_n = case.bigo_n
    start = time.perf_counter()
    try:
        arg = case.make_input(max_n)
        case.func(arg)  # warm up, then calibrate calls per timing to ~1 ms at max_n
        t0 = time.perf_counter()
        case.func(arg)
        one = max(time.perf_counter() - t0, 1e-8)
        del arg
        n_repeats = min(10_000, max(1, math.ceil(1e-3 / one)))
        best, _ = big_o.big_o(
            case.func,
            lambda n: case.make_input(int(n)),  # big_O passes numpy int64
            min_n=min_n,
            max_n=max_n,
            n_measures=10,
            n_repeats=n_repeats,
            n_timings=3,
        )
        label = _big_o_label(best)
    except Exception as exc:
        label = f"error:{type(exc).__name__}"
    runs.seconds.append(time.perf_counter() - start)
    runs.labels.append(label)
    rank, true = _rank(label), _rank(case.true)
    runs.true_passes.append(0 <= rank <= true)  # fitted no worse than true
    if true > 0:
        runs.better_passes.append(0 <= rank < true)  # fitted no worse than next better
    return f"{label} ({runs.seconds[-1]:.1f}s, n={min_n}..{max_n})"


@contextlib.contextmanager
def _cpu_hog(enabled: bool) -> Iterator[None]:
    """Keep one other core busy while the benchmark runs; always kill it afterwards."""
    if not enabled:
        yield
        return
    hog = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    print(f"--load: CPU hog running as pid {hog.pid}")
    try:
        yield
    finally:
        hog.kill()
        hog.wait()
        print(f"--load: CPU hog pid {hog.pid} killed")


# ---------------------------------------------------------------- summary


def _summary(tool: str, cases: list[Case], runs: dict[str, Runs], verdicts: bool) -> None:
    labels = [(c.true, lab) for c in cases for lab in runs[c.name].labels]
    right = sum(t == lab for t, lab in labels)
    true_checks = [p for c in cases for p in runs[c.name].true_passes]
    better_checks = [p for c in cases for p in runs[c.name].better_passes]
    stable_labels = sum(len(set(runs[c.name].labels)) == 1 for c in cases)
    stable_verdicts = sum(
        len(set(runs[c.name].true_passes)) <= 1 and len(set(runs[c.name].better_passes)) <= 1
        for c in cases
    )
    secs = [s for c in cases for s in runs[c.name].seconds]
    n = len(cases)
    print(f"[{tool}]")
    print(f"  label accuracy:              {right}/{len(labels)} = {right / len(labels):.0%}")
    kind = "check" if verdicts else "fitted class"
    fails = len(true_checks) - sum(true_checks)
    print(
        f"  false fails ({kind} vs true class):          {fails}/{len(true_checks)}"
        + ("" if verdicts else "  (fitted worse than true)")
    )
    passes = sum(better_checks)
    if verdicts:
        found = [v for c in cases for v in runs[c.name].better_verdicts]
        detail = ", ".join(f"{found.count(v)} {v}" for v in sorted(set(found)))
        detail = f"  (verdicts: {detail})"
    else:
        detail = "  (fitted no worse than next better)"
    print(f"  false passes ({kind} vs next better class):  {passes}/{len(better_checks)}{detail}")
    print(f"  stable labels over repeats:  {stable_labels}/{n} = {stable_labels / n:.0%}")
    if verdicts:
        print(f"  stable verdicts over repeats: {stable_verdicts}/{n} = {stable_verdicts / n:.0%}")
    print(
        f"  seconds per estimate:        median {statistics.median(secs):.2f}, "
        f"max {max(secs):.2f}" + ("  (estimate only)" if verdicts else "")
    )
    if verdicts:
        chk = [s for c in cases for s in runs[c.name].check_seconds]
        print(
            f"  seconds per check:           median {statistics.median(chk):.2f}, "
            f"max {max(chk):.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=3.0, help="mlgrader seconds per call")
    parser.add_argument("--repeat", type=int, default=5, help="repetitions for stability")
    parser.add_argument("--only", action="append", default=[], help="run only this name")
    parser.add_argument("--no-big-o", action="store_true", help="skip the big_O package")
    parser.add_argument("--load", action="store_true", help="CPU hog on another core")
    args = parser.parse_args()
    cases = [c for c in CORPUS if not args.only or c.name in args.only]
    if not cases:
        parser.error(f"no corpus entry named {args.only}; names: {[c.name for c in CORPUS]}")
    use_big_o = not args.no_big_o and big_o is not None
    if not args.no_big_o and big_o is None:
        print("big_O not installed: pip install big-O  (continuing with mlgrader only)")
    ml_runs = {c.name: Runs() for c in cases}
    bo_runs = {c.name: Runs() for c in cases}
    print(
        f"{len(cases)} functions, {args.repeat} repetition(s), budget {args.budget}s, "
        f"load {'on' if args.load else 'off'}"
    )
    with _cpu_hog(args.load):
        for rep in range(args.repeat):
            for case in cases:
                line = f"rep {rep + 1} {case.name:26s} {case.true:10s} mlgrader "
                line += _run_mlgrader(case, args.budget, ml_runs[case.name])
                if use_big_o:
                    line += " | big_O " + _run_big_o(case, bo_runs[case.name])
                print(line, flush=True)

    print()
    print("labels: 1 lg n nlg n2 n3 2^n = O(1) .. O(2^n), ? = inconclusive")
    print("checks: P/F per repetition for check(true class) / check(next better class)")
    head = (
        f"{'function':26s} {'true':5s} {'mlgrader labels':20s} {'chk true':9s} {'chk better':10s}"
    )
    print(head + (" big_O labels" if use_big_o else ""))
    for case in cases:
        ml = ml_runs[case.name]
        row = (
            f"{case.name:26s} {_short(case.true):5s} "
            f"{' '.join(_short(x) for x in ml.labels):20s} "
            f"{''.join('P' if p else 'F' for p in ml.true_passes):9s} "
            f"{''.join('P' if p else 'F' for p in ml.better_passes) or '-':10s}"
        )
        if use_big_o:
            row += " " + " ".join(_short(x) for x in bo_runs[case.name].labels)
        wrong = any(x != case.true for x in ml.labels)
        print(row + ("  <-" if wrong else ""))
    print()
    _summary("mlgrader", cases, ml_runs, verdicts=True)
    if use_big_o:
        _summary("big_O", cases, bo_runs, verdicts=False)
    elif not args.no_big_o:
        print("[big_O] big_O not installed: pip install big-O")


if __name__ == "__main__":
    # Ctrl-C (also when started in the background) and kill both run the hog's cleanup
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    main()
