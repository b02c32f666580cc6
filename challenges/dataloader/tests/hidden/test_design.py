"""Hidden OOP tests: one abstract base with the shared logic, three small versions.

Counted only when all three versions serve a small epoch correctly: a design that does
not work earns no design points.
"""

from __future__ import annotations

import pytest

VERSIONS = ["ThreadServer", "ProcessServer", "AsyncioServer"]
CLASSES = ["DataLoaderServer", *VERSIONS]
CLIENT_METHODS = ["get_item", "get_batch", "new_epoch"]
VERSION_LINES = 60


@pytest.fixture
def quality(submission):
    """The quality report, once every version serves a 5-item epoch in order."""
    dl = submission.module("dataloader")
    ds = submission.module("dataset")
    try:
        for name in VERSIONS:
            with getattr(dl, name)(ds.SlowDataset(5, delay_s=0.0), workers=2, seed=1) as server:
                got = [server.get_item()[0] for _ in range(5)]
                assert got == ds.epoch_order(5, 1, 0), f"{name} served {got}"
    except Exception as exc:
        pytest.fail(f"design points need three working versions: {type(exc).__name__}: {exc}")
    return submission.quality()


@pytest.mark.rubric("oop")
def test_versions_share_one_abstract_base(quality, submission):
    """ThreadServer, ProcessServer and AsyncioServer derive from the abstract DataLoaderServer."""
    base = quality.require_shared_base(
        ["get_item", "get_batch", "new_epoch", "close"], classes=VERSIONS
    )
    dl = submission.module("dataloader")
    # read from the source (the class lives in the candidate's process, where a metaclass
    # could answer anything): abstract methods, or an ABC base
    classes = {cls.name: cls for fm in quality.files.values() for cls in fm.classes}
    declared = classes.get("DataLoaderServer")
    assert declared is not None and declared.is_abstract, (
        "DataLoaderServer must be abstract (abstract methods for what each version provides)"
    )
    subclasses = [name for name in VERSIONS if issubclass(getattr(dl, name), dl.DataLoaderServer)]
    assert subclasses == VERSIONS, (
        f"expected {', '.join(VERSIONS)} to subclass DataLoaderServer, only {subclasses} do "
        f"(the shared abstract base found is {base})"
    )


@pytest.mark.rubric("oop")
def test_versions_are_small_and_reuse_the_client_logic(quality):
    """get_item, get_batch and new_epoch are written once in the base; each version is small."""
    classes = {cls.name: cls for fm in quality.files.values() for cls in fm.classes}
    problems = []
    for name in VERSIONS:
        cls = classes.get(name)
        if cls is None:
            problems.append(f"no class {name}")
            continue
        redefined = sorted(set(cls.methods) & set(CLIENT_METHODS))
        if redefined:
            problems.append(
                f"{name} redefines {', '.join(redefined)} (write them once in the base)"
            )
        own = [
            fn
            for fm in quality.files.values()
            for fn in fm.functions
            if fn.qualname.startswith(f"{name}.") and "<locals>" not in fn.qualname
        ]
        lines = sum(fn.length for fn in own)
        if lines > VERSION_LINES:
            problems.append(
                f"{name}'s own methods span {lines} lines (limit {VERSION_LINES}): move the "
                "logic the versions share into DataLoaderServer"
            )
    assert not problems, "\n".join(problems)


@pytest.mark.rubric("oop")
def test_no_duplicated_blocks(quality):
    """No run of statements copied between versions or methods."""
    quality.require_no_duplicate_blocks()


@pytest.mark.rubric("oop")
def test_small_simple_functions(quality):
    """Cyclomatic complexity <= 10, functions <= 40 lines, nesting <= 4."""
    quality.require_max_complexity(limit=10)
    quality.require_max_function_length(limit=40)
    quality.require_max_nesting(limit=4)


@pytest.mark.rubric("oop")
def test_private_cohesive_state(quality):
    """The four classes keep their state private and each does one job (LCOM4 of 1)."""
    for name in CLASSES:
        quality.require_private_state(class_name=name)
        quality.require_cohesion(limit=1, class_name=name)


@pytest.mark.rubric("oop")
def test_clean_module(quality):
    """Docstrings on public classes, no module mutable state, no bare except, PEP 8, no print."""
    quality.require_docstrings()
    quality.require_no_module_mutable_state()
    quality.require_no_global_statements()
    quality.require_no_bare_except()
    quality.require_pep8_names()
    quality.require_no_mutable_defaults()
    quality.require_no_print()
    quality.require_no_star_imports()
