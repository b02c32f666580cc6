"""My own tests: behaviour, validation, edge cases, model-based random runs
against plain Python models, and rough growth checks of the time bounds."""

from __future__ import annotations

import bisect
import math
import random
import string
import time

import pytest

from structures import Autocomplete, OrderedMap, RunningMedian


# --------------------------------------------------------------- models


def model_median(values: list[float]) -> float:
    """The median of `values` the slow, obvious way."""
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def model_complete(words: set[str], prefix: str, limit: int) -> list[str]:
    """The completions of `prefix` the slow, obvious way."""
    return sorted(w for w in words if w.startswith(prefix))[:limit]


def random_word(rng: random.Random, alphabet: str = "abc") -> str:
    """A short random word over a small alphabet (many shared prefixes)."""
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 5)))


# --------------------------------------------------------- RunningMedian


def test_median_odd_and_even():
    running = RunningMedian()
    running.add(5)
    assert running.median() == 5
    running.add(1)
    assert running.median() == 3.0
    running.add(3)
    assert running.median() == 3
    running.add(10)
    assert running.median() == 4.0
    assert len(running) == 4


def test_median_keeps_int_type_for_odd_count():
    running = RunningMedian()
    for value in (7, 2, 9):
        running.add(value)
    assert running.median() == 7 and type(running.median()) is int


def test_median_ints_and_floats_mixed():
    running = RunningMedian()
    for value in (1, 2.5, -3, 0.25):
        running.add(value)
    assert running.median() == (0.25 + 1) / 2


def test_median_duplicates_and_negatives():
    running = RunningMedian()
    for value in (-1, -1, -1, -5):
        running.add(value)
    assert running.median() == -1.0


def test_median_infinities_are_numbers():
    running = RunningMedian()
    running.add(math.inf)
    assert running.median() == math.inf
    running.add(-math.inf)
    assert math.isnan(running.median())  # (inf + -inf) / 2
    running.add(1)
    assert running.median() == 1


def test_median_huge_ints():
    running = RunningMedian()
    running.add(10**30)
    running.add(10**30 + 2)
    running.add(10**30 + 1)
    assert running.median() == 10**30 + 1


def test_median_negative_zero():
    running = RunningMedian()
    running.add(-0.0)
    assert math.copysign(1, running.median()) == -1


def test_median_empty_raises():
    with pytest.raises(ValueError):
        RunningMedian().median()
    assert len(RunningMedian()) == 0


@pytest.mark.parametrize("bad", [True, False, "1", None, 1j, [1], b"1"])
def test_median_add_rejects_non_numbers(bad):
    running = RunningMedian()
    running.add(4)
    with pytest.raises(TypeError):
        running.add(bad)
    assert len(running) == 1 and running.median() == 4


def test_median_add_rejects_nan():
    running = RunningMedian()
    with pytest.raises(ValueError):
        running.add(math.nan)
    with pytest.raises(ValueError):
        running.add(float("-nan"))
    assert len(running) == 0
    with pytest.raises(ValueError):
        running.median()


@pytest.mark.parametrize("seed", range(5))
def test_median_random_against_model(seed):
    rng = random.Random(seed)
    running = RunningMedian()
    values: list[float] = []
    for _ in range(1500):
        value = rng.choice(
            [rng.randint(-50, 50), rng.uniform(-100, 100), rng.randint(0, 3)]
        )
        running.add(value)
        values.append(value)
        assert running.median() == model_median(values)
        assert len(running) == len(values)


@pytest.mark.parametrize("step", [1, -1])
def test_median_monotone_streams(step):
    running = RunningMedian()
    values = list(range(20000))[::step]
    for count, value in enumerate(values, 1):
        running.add(value)
        if count % 997 == 0:
            assert running.median() == model_median(values[:count])
    assert running.median() == 9999.5


# ---------------------------------------------------------- Autocomplete


def test_complete_basics():
    auto = Autocomplete()
    for word in ("card", "car", "care", "cat", "dog"):
        auto.add(word)
    assert auto.complete("car") == ["car", "card", "care"]
    assert auto.complete("ca", 2) == ["car", "card"]
    assert auto.complete("z") == []
    assert auto.complete("cards") == []
    assert auto.complete("") == ["car", "card", "care", "cat", "dog"]
    assert auto.complete("", 0) == []
    assert "cat" in auto and "ca" not in auto
    assert len(auto) == 5


def test_complete_default_limit_is_ten():
    auto = Autocomplete()
    for index in range(30):
        auto.add(f"w{index:02d}")
    assert auto.complete("w") == [f"w{i:02d}" for i in range(10)]


def test_complete_python_string_order():
    auto = Autocomplete()
    for word in ("éclair", "zeta", "Zeta", "eclair", "a", "B", "ab", "a b"):
        auto.add(word)
    assert auto.complete("") == sorted(
        ["éclair", "zeta", "Zeta", "eclair", "a", "B", "ab", "a b"]
    )
    assert auto.complete("", 4) == ["B", "Zeta", "a", "a b"]


def test_complete_word_equal_to_prefix_first():
    auto = Autocomplete()
    for word in ("abc", "ab", "abd", "a"):
        auto.add(word)
    assert auto.complete("ab") == ["ab", "abc", "abd"]
    assert auto.complete("abc") == ["abc"]


def test_complete_returns_new_list():
    auto = Autocomplete()
    auto.add("x")
    first = auto.complete("x")
    first.append("junk")
    assert auto.complete("x") == ["x"]


def test_add_duplicate_changes_nothing():
    auto = Autocomplete()
    auto.add("hello")
    auto.add("hello")
    assert len(auto) == 1
    assert auto.complete("h") == ["hello"]


def test_unicode_and_odd_characters():
    auto = Autocomplete()
    words = ["日本", "日本語", "\x00", "a\x00b", "😀", " ", "\ud800"]
    for word in words:
        auto.add(word)
    assert auto.complete("", 100) == sorted(words)
    assert auto.complete("日") == ["日本", "日本語"]
    assert all(word in auto for word in words)


@pytest.mark.parametrize("bad", [None, 1, b"abc", ["a"], ("a",)])
def test_add_rejects_non_str(bad):
    auto = Autocomplete()
    with pytest.raises(TypeError):
        auto.add(bad)
    assert len(auto) == 0


def test_add_rejects_empty():
    auto = Autocomplete()
    with pytest.raises(ValueError):
        auto.add("")
    assert len(auto) == 0 and auto.complete("") == []
    assert "" not in auto


@pytest.mark.parametrize(
    ("prefix", "limit", "error"),
    [
        (None, 1, TypeError),
        (b"a", 1, TypeError),
        ("a", True, TypeError),
        ("a", False, TypeError),
        ("a", 1.0, TypeError),
        ("a", "3", TypeError),
        ("a", None, TypeError),
        ("a", -1, ValueError),
        (1, -1, TypeError),
    ],
)
def test_complete_validation(prefix, limit, error):
    auto = Autocomplete()
    auto.add("abc")
    with pytest.raises(error):
        auto.complete(prefix, limit)


@pytest.mark.parametrize("thing", [None, 1, ["a"], {"a": 1}, b"a", object()])
def test_contains_never_raises(thing):
    auto = Autocomplete()
    auto.add("a")
    assert (thing in auto) is False


@pytest.mark.parametrize("seed", range(5))
def test_autocomplete_random_against_model(seed):
    rng = random.Random(seed)
    auto = Autocomplete()
    words: set[str] = set()
    for _ in range(1500):
        word = random_word(rng)
        auto.add(word)
        words.add(word)
        prefix = random_word(rng)[: rng.randint(0, 3)]
        limit = rng.randint(0, 15)
        assert auto.complete(prefix, limit) == model_complete(
            words, prefix, limit
        )
        probe = random_word(rng)
        assert (probe in auto) == (probe in words)
        assert len(auto) == len(words)


# ------------------------------------------------------------ OrderedMap


def test_map_basics():
    ordered = OrderedMap()
    for key in (30, 10, 20):
        ordered[key] = str(key)
    ordered[20] = "twenty"
    assert len(ordered) == 3
    assert ordered[20] == "twenty"
    assert ordered.range(10, 30) == [(10, "10"), (20, "twenty")]
    del ordered[10]
    assert 10 not in ordered and len(ordered) == 2
    with pytest.raises(KeyError):
        ordered[10]
    with pytest.raises(KeyError):
        del ordered[10]
    assert len(ordered) == 2


def test_map_returns_the_very_object():
    ordered = OrderedMap()
    value = ["mutable"]
    ordered[1] = value
    assert ordered[1] is value
    assert ordered.range(0, 2)[0][1] is value


def test_map_empty():
    ordered = OrderedMap()
    assert len(ordered) == 0
    assert 5 not in ordered
    assert ordered.range(0, 10) == []
    with pytest.raises(KeyError):
        ordered[5]
    with pytest.raises(KeyError):
        del ordered[5]


def test_range_half_open_and_empty_cases():
    ordered = OrderedMap()
    for key in range(0, 20, 2):
        ordered[key] = key * 10
    assert ordered.range(4, 10) == [(4, 40), (6, 60), (8, 80)]
    assert ordered.range(3, 9) == [(4, 40), (6, 60), (8, 80)]
    assert ordered.range(5, 5) == []
    assert ordered.range(9, 3) == []
    assert ordered.range(-100, 100) == [(k, k * 10) for k in range(0, 20, 2)]
    assert ordered.range(18, 19) == [(18, 180)]
    assert ordered.range(19, 100) == []
    result = ordered.range(0, 4)
    result.clear()
    assert ordered.range(0, 4) == [(0, 0), (2, 20)]


def test_str_keys():
    ordered = OrderedMap()
    for key in ("pear", "apple", "Zebra", "éclair", "eclair"):
        ordered[key] = key.upper()
    assert ordered.range("a", "f") == [
        ("apple", "APPLE"),
        ("eclair", "ECLAIR"),
    ]
    assert ordered.range("", "\U0010ffff")[0] == ("Zebra", "ZEBRA")


def test_unhashable_tuple_keys():
    ordered = OrderedMap()
    keys = [(1, [2]), (0, [5]), (1, [1]), (1, [1, 0])]
    for index, key in enumerate(keys):
        ordered[key] = index
    assert len(ordered) == 4
    assert ordered[(1, [1])] == 2
    assert (1, [3]) not in ordered
    ordered[(1, [1])] = "new"
    assert len(ordered) == 4
    assert [k for k, _ in ordered.range((0,), (2,))] == sorted(keys)
    del ordered[(0, [5])]
    assert ordered.range((0,), (1,)) == []


def test_float_and_negative_keys():
    ordered = OrderedMap()
    for key in (0.5, -2, 3, -0.25):
        ordered[key] = key
    assert [k for k, _ in ordered.range(-math.inf, math.inf)] == [
        -2, -0.25, 0.5, 3
    ]


class _Spy:
    """A key that counts its comparisons."""

    calls = 0  # a counter for the test only, reset before use

    def __init__(self, number):
        self.number = number

    def __lt__(self, other):
        _Spy.calls += 1
        return self.number < other.number


def test_range_touches_few_keys():
    ordered = OrderedMap()
    for number in range(4096):
        ordered[_Spy(number)] = number
    _Spy.calls = 0
    pairs = ordered.range(_Spy(2000), _Spy(2010))
    assert [value for _, value in pairs] == list(range(2000, 2010))
    assert _Spy.calls < 80  # about 2 log2(n) + k, not n


@pytest.mark.parametrize("seed", range(6))
def test_map_random_against_model(seed):
    rng = random.Random(seed)
    ordered = OrderedMap()
    keys: list[int] = []
    values: dict[int, object] = {}
    for _ in range(4000):
        key = rng.randint(0, 300)
        action = rng.random()
        if action < 0.45:
            value = object()
            ordered[key] = value
            if key not in values:
                bisect.insort(keys, key)
            values[key] = value
        elif action < 0.75:
            if key in values:
                del ordered[key]
                keys.remove(key)
                del values[key]
            else:
                with pytest.raises(KeyError):
                    del ordered[key]
        elif action < 0.9:
            low, high = rng.randint(-5, 305), rng.randint(-5, 305)
            start = bisect.bisect_left(keys, low)
            stop = bisect.bisect_left(keys, high)
            expected = [(k, values[k]) for k in keys[start:stop]]
            assert ordered.range(low, high) == expected
        else:
            assert (key in ordered) == (key in values)
            if key in values:
                assert ordered[key] is values[key]
        assert len(ordered) == len(keys)
    _check_avl(ordered._root)  # noqa: SLF001 - white-box check of balance


def _check_avl(node) -> int:
    """Check heights, balance and key order under `node`; return its height."""
    if node is None:
        return 0
    left, right = _check_avl(node.left), _check_avl(node.right)
    assert abs(left - right) <= 1
    assert node.height == 1 + max(left, right)
    assert node.left is None or node.left.key < node.key
    assert node.right is None or node.key < node.right.key
    return node.height


@pytest.mark.parametrize("order", ["ascending", "descending", "shuffled"])
def test_map_20000_keys_in_order(order):
    keys = list(range(20000))
    if order == "descending":
        keys.reverse()
    elif order == "shuffled":
        random.Random(1).shuffle(keys)
    ordered = OrderedMap()
    for key in keys:
        ordered[key] = -key
    assert len(ordered) == 20000
    assert ordered.range(-1, 20001) == [(k, -k) for k in range(20000)]
    for key in keys[::2]:
        del ordered[key]
    remaining = sorted(keys[1::2])
    assert len(ordered) == 10000
    assert ordered.range(-1, 20001) == [(k, -k) for k in remaining]
    assert _tree_height(ordered) <= 1.45 * math.log2(20000 + 2)
    _check_avl(ordered._root)  # noqa: SLF001 - white-box check of balance


def _tree_height(ordered: OrderedMap) -> int:
    """The height of the tree behind `ordered` (white-box, for this test)."""
    root = ordered._root  # noqa: SLF001 - white-box check of balance
    return 0 if root is None else root.height


# -------------------------------------------------------- growth checks


def _per_call(operation, repeats: int) -> float:
    """The best per-call time of `operation` over a few rounds."""
    best = math.inf
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(repeats):
            operation()
        best = min(best, (time.perf_counter() - start) / repeats)
    return best


def test_growth_of_ordered_map_and_median():
    """From 2,000 to 200,000 items (100x), an O(log n) operation should slow
    down a little, an O(n) one about 100x; allow 8x."""
    timings = {}
    rng = random.Random(7)
    for size in (2000, 200000):
        ordered = OrderedMap()
        for key in rng.sample(range(10 * size), size):
            ordered[key] = key
        running = RunningMedian()
        for _ in range(size):
            running.add(rng.random())

        def churn(ordered=ordered):
            key = rng.randrange(10 * size)
            ordered[key] = 1
            del ordered[key]

        timings[size] = (
            _per_call(churn, 300),
            _per_call(lambda o=ordered: o.range(5000, 5200), 300),
            _per_call(lambda r=running: r.add(rng.random()), 300),
        )
    for small, large in zip(timings[2000], timings[200000]):
        assert large < 8 * small


def test_growth_of_autocomplete():
    """complete/add/in should not slow down 100x with 100x more words."""
    rng = random.Random(3)
    timings = {}
    for size in (2000, 200000):
        auto = Autocomplete()
        for _ in range(size):
            auto.add("".join(rng.choices(string.ascii_lowercase, k=8)))
        timings[size] = (
            _per_call(lambda a=auto: a.complete("q"), 300),
            _per_call(lambda a=auto: "qwertyui" in a, 300),
        )
    for small, large in zip(timings[2000], timings[200000]):
        assert large < 8 * small
