"""Hidden correctness tests: each structure against the behaviour the statement gives,
argument validation, edge cases, and long random sequences compared with a plain model
(a sorted list, a set, a dict)."""

from __future__ import annotations

import bisect
import math
import random
import statistics

import pytest

from mlgrader.testing import strict_equal

pytestmark = pytest.mark.rubric("correctness")


@pytest.fixture
def structures(submission):
    """The candidate's module."""
    return submission.module("structures")


# RunningMedian ------------------------------------------------------------------------


def test_median_of_an_odd_count_is_the_middle_value(structures):
    """The median of an odd count of numbers is the middle one."""
    running = structures.RunningMedian()
    for value in (5, 1, 9, 3, 7):
        running.add(value)
    assert running.median() == 5


def test_median_of_an_even_count_is_the_mean_of_the_middle_two(structures):
    """The median of an even count is the mean of the two middle values."""
    running = structures.RunningMedian()
    for value in (10, 2, 4, 8):
        running.add(value)
    strict_equal(running.median(), 6.0)
    running.add(3)
    assert running.median() == 4
    running.add(1)
    strict_equal(running.median(), 3.5)


def test_median_follows_every_add(structures):
    """The median is right after every add, with ints, floats, repeats and negatives."""
    rng = random.Random(11)
    running = structures.RunningMedian()
    seen = []
    for i in range(400):
        value = rng.choice([rng.randrange(-20, 20), rng.uniform(-1e6, 1e6), 0, -0.5])
        running.add(value)
        seen.append(value)
        assert running.median() == statistics.median(seen), f"after {i + 1} adds"
        assert len(running) == i + 1


@pytest.mark.rubric("correctness", weight=2)
@pytest.mark.parametrize("order", ["ascending", "descending", "random"])
def test_median_of_long_streams(structures, order):
    """Long streams in ascending, descending and random order (20,000 numbers)."""
    values = list(range(20_000))
    if order == "descending":
        values.reverse()
    elif order == "random":
        random.Random(5).shuffle(values)
    medians = []
    running = structures.RunningMedian()
    seen: list[int] = []
    for i, value in enumerate(values):
        running.add(value)
        bisect.insort(seen, value)
        if i % 997 == 0 or i == len(values) - 1:
            medians.append((running.median(), statistics.median(seen)))
    assert all(got == want for got, want in medians), medians[:5]


def test_median_of_one_number_and_of_infinities(structures):
    """One number is its own median; infinities are numbers like any other."""
    running = structures.RunningMedian()
    running.add(-3.25)
    strict_equal(running.median(), -3.25)
    running.add(math.inf)
    running.add(-math.inf)
    strict_equal(running.median(), -3.25)


def test_median_of_nothing_is_a_value_error(structures):
    """median() before any add raises ValueError, and len is 0."""
    running = structures.RunningMedian()
    assert len(running) == 0
    with pytest.raises(ValueError):
        running.median()


@pytest.mark.parametrize("bad", [True, "3", None, [1], 1 + 2j])
def test_add_refuses_what_is_not_an_int_or_float(structures, bad):
    """add raises TypeError for a bool, str, None, list or complex, and keeps the stream."""
    running = structures.RunningMedian()
    running.add(4)
    with pytest.raises(TypeError):
        running.add(bad)
    assert len(running) == 1
    assert running.median() == 4


def test_add_refuses_nan(structures):
    """add raises ValueError for NaN, and keeps the stream."""
    running = structures.RunningMedian()
    running.add(1.0)
    with pytest.raises(ValueError):
        running.add(math.nan)
    assert len(running) == 1
    strict_equal(running.median(), 1.0)


def test_two_medians_are_independent(structures):
    """Two RunningMedian objects share nothing."""
    first, second = structures.RunningMedian(), structures.RunningMedian()
    first.add(1)
    second.add(100)
    second.add(200)
    assert first.median() == 1
    strict_equal(second.median(), 150.0)


# Autocomplete -------------------------------------------------------------------------


def _words(rng, count, alphabet="abcde", longest=6):
    return [
        "".join(rng.choice(alphabet) for _ in range(rng.randint(1, longest))) for _ in range(count)
    ]


def test_complete_gives_the_first_words_in_order(structures):
    """complete returns the stored words with the prefix, ascending, at most `limit`."""
    auto = structures.Autocomplete()
    for word in ("car", "cart", "care", "cat", "dog", "ca", "carton", "cab"):
        auto.add(word)
    assert auto.complete("car") == ["car", "care", "cart", "carton"]
    assert auto.complete("ca", 3) == ["ca", "cab", "car"]
    assert auto.complete("d") == ["dog"]
    assert auto.complete("x") == []
    assert auto.complete("carts") == []


def test_complete_limit_defaults_to_ten(structures):
    """Without a limit, complete returns at most ten words."""
    auto = structures.Autocomplete()
    for i in range(30):
        auto.add(f"w{i:02d}")
    assert auto.complete("w") == [f"w{i:02d}" for i in range(10)]
    assert auto.complete("w", 0) == []
    assert auto.complete("w", 100) == [f"w{i:02d}" for i in range(30)]


def test_the_empty_prefix_matches_every_word(structures):
    """complete("") lists the smallest stored words."""
    auto = structures.Autocomplete()
    for word in ("pear", "apple", "fig", "banana"):
        auto.add(word)
    assert auto.complete("", 3) == ["apple", "banana", "fig"]


def test_add_twice_stores_once(structures):
    """Adding a stored word again changes nothing: len counts distinct words."""
    auto = structures.Autocomplete()
    for word in ("a", "ab", "a", "ab", "abc"):
        auto.add(word)
    assert len(auto) == 3
    assert auto.complete("a") == ["a", "ab", "abc"]


def test_contains_and_len(structures):
    """`in` tells stored words from prefixes of them and from other types; len counts words."""
    auto = structures.Autocomplete()
    assert len(auto) == 0
    auto.add("hello")
    assert "hello" in auto
    assert "hell" not in auto
    assert "hello!" not in auto
    assert 5 not in auto
    assert None not in auto
    assert len(auto) == 1


def test_order_is_pythons_string_order(structures):
    """Ascending means Python's `<` on str: uppercase before lowercase, accents after."""
    auto = structures.Autocomplete()
    words = ["zeta", "Zeta", "éclair", "eclair", "a b", "a", "a-b", "ab", "ä"]
    for word in words:
        auto.add(word)
    assert auto.complete("", 20) == sorted(words)
    assert auto.complete("a", 20) == sorted(w for w in words if w.startswith("a"))


@pytest.mark.rubric("correctness", weight=3)
def test_complete_matches_a_model_on_random_dictionaries(structures):
    """Random words over a small alphabet, random prefixes and limits: complete always
    equals the sorted matches of a plain set, cut at the limit."""
    rng = random.Random(3)
    auto = structures.Autocomplete()
    model: set[str] = set()
    for i in range(1500):
        word = _words(rng, 1)[0]
        auto.add(word)
        model.add(word)
        prefix = _words(rng, 1, longest=3)[0][: rng.randint(0, 3)]
        limit = rng.randint(0, 15)
        expected = sorted(w for w in model if w.startswith(prefix))[:limit]
        assert auto.complete(prefix, limit) == expected, f"after {i + 1} adds"
    assert len(auto) == len(model)


@pytest.mark.parametrize("bad", [None, 3, b"bytes", ["a"]])
def test_add_refuses_what_is_not_a_str(structures, bad):
    """add raises TypeError for anything but a str, and stores nothing."""
    auto = structures.Autocomplete()
    with pytest.raises(TypeError):
        auto.add(bad)
    assert len(auto) == 0


def test_add_refuses_the_empty_word(structures):
    """add("") raises ValueError and stores nothing."""
    auto = structures.Autocomplete()
    with pytest.raises(ValueError):
        auto.add("")
    assert len(auto) == 0
    assert auto.complete("") == []


def test_complete_validates_its_arguments(structures):
    """A prefix that is not a str, or a limit that is not an int (or is a bool), is a
    TypeError; a negative limit is a ValueError."""
    auto = structures.Autocomplete()
    auto.add("word")
    for prefix, limit, error in (
        (None, 10, TypeError),
        (b"w", 10, TypeError),
        ("w", 2.0, TypeError),
        ("w", True, TypeError),
        ("w", "3", TypeError),
        ("w", -1, ValueError),
    ):
        with pytest.raises(error):
            auto.complete(prefix, limit)


def test_complete_returns_a_new_list(structures):
    """Changing a list complete returned changes nothing stored."""
    auto = structures.Autocomplete()
    auto.add("one")
    first = auto.complete("o")
    first.append("other")
    assert auto.complete("o") == ["one"]


# OrderedMap ---------------------------------------------------------------------------


def test_set_get_replace_delete(structures):
    """Values come back by key; setting a stored key replaces its value; del removes it."""
    ordered = structures.OrderedMap()
    ordered[5] = "five"
    ordered[1] = "one"
    ordered[5] = "FIVE"
    assert ordered[5] == "FIVE"
    assert ordered[1] == "one"
    assert len(ordered) == 2
    del ordered[5]
    assert 5 not in ordered
    assert 1 in ordered
    assert len(ordered) == 1


def test_missing_keys_raise_key_error(structures):
    """Reading or deleting a key that is not stored raises KeyError and changes nothing."""
    ordered = structures.OrderedMap()
    ordered[1] = "one"
    with pytest.raises(KeyError):
        ordered[2]
    with pytest.raises(KeyError):
        del ordered[2]
    del ordered[1]
    with pytest.raises(KeyError):
        del ordered[1]
    assert len(ordered) == 0


@pytest.mark.rubric("correctness", weight=2)
def test_range_is_half_open_and_in_key_order(structures):
    """range(low, high) gives the pairs with low <= key < high, ascending."""
    ordered = structures.OrderedMap()
    for key in (50, 10, 40, 20, 30):
        ordered[key] = key * 10
    assert ordered.range(20, 40) == [(20, 200), (30, 300)]
    assert ordered.range(15, 1000) == [(20, 200), (30, 300), (40, 400), (50, 500)]
    assert ordered.range(0, 10) == []
    assert ordered.range(40, 20) == []
    assert ordered.range(30, 30) == []


def test_values_are_the_objects_stored(structures, submission):
    """getitem and range give back the very objects stored, not copies."""
    check = submission.run(_identity_kept, structures.OrderedMap)
    assert check == "ok", check


def _identity_kept(make_map):
    """Runs where the candidate's code runs: objects compared by identity there."""
    ordered = make_map()
    value = ["a list"]
    ordered[1] = value
    if ordered[1] is not value:
        return "m[1] is not the object stored"
    if ordered.range(0, 2)[0][1] is not value:
        return "range gave a copy of the value stored"
    return "ok"


def test_string_and_tuple_keys(structures):
    """Any mutually comparable keys work: strs, tuples (which need not be hashable)."""
    words = structures.OrderedMap()
    for word in ("pear", "apple", "fig"):
        words[word] = len(word)
    assert words.range("b", "z") == [("fig", 3), ("pear", 4)]
    pairs = structures.OrderedMap()
    pairs[(2, [1])] = "b"
    pairs[(1, [2])] = "a"
    assert pairs.range((0,), (3,)) == [((1, [2]), "a"), ((2, [1]), "b")]


@pytest.mark.rubric("correctness", weight=3)
def test_map_matches_a_model_on_random_operations(structures):
    """5,000 random sets, replaces, deletes (of stored and absent keys), lookups and
    ranges against a dict and a sorted key list."""
    rng = random.Random(7)
    ordered = structures.OrderedMap()
    model: dict[int, int] = {}
    for i in range(5000):
        key = rng.randrange(400)
        roll = rng.random()
        where = f"operation {i + 1}"
        if roll < 0.4:
            ordered[key] = i
            model[key] = i
        elif roll < 0.6:
            if key in model:
                del ordered[key]
                del model[key]
            else:
                with pytest.raises(KeyError):
                    del ordered[key]
        elif roll < 0.8:
            assert (key in ordered) == (key in model), where
            if key in model:
                assert ordered[key] == model[key], where
        else:
            low, high = sorted((rng.randrange(-10, 410), rng.randrange(-10, 410)))
            expected = [(k, model[k]) for k in sorted(model) if low <= k < high]
            assert ordered.range(low, high) == expected, where
        assert len(ordered) == len(model), where


@pytest.mark.rubric("correctness", weight=2)
@pytest.mark.parametrize("order", ["ascending", "descending"])
def test_map_of_sorted_insertions(structures, order):
    """20,000 keys inserted in sorted order (the worst case of an unbalanced tree), then
    every key read back and a range over all of them."""
    keys = list(range(20_000))
    if order == "descending":
        keys.reverse()
    ordered = structures.OrderedMap()
    for key in keys:
        ordered[key] = -key
    assert len(ordered) == 20_000
    assert [ordered[k] for k in range(0, 20_000, 37)] == [-k for k in range(0, 20_000, 37)]
    assert ordered.range(-1, 20_001) == [(k, -k) for k in range(20_000)]


def test_two_maps_are_independent(structures):
    """Two OrderedMap objects share nothing."""
    first, second = structures.OrderedMap(), structures.OrderedMap()
    first[1] = "a"
    assert 1 not in second
    assert len(second) == 0
