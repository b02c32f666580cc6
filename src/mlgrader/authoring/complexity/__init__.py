"""Empirical time-complexity checks: does a submission scale as the challenge asks?

Rubrics say things like "``get`` and ``put`` must be O(1)". Reading the code cannot
reliably tell a dict lookup from a hidden ``list.remove``, so we measure: build
inputs of growing size ``n`` with ``make_input(n)``, time ``func(arg)`` on each,
and see how the time grows.

Why this method:

* **Adaptive geometric sizes.** Sizes double from ``min_n`` until ``max_n`` or until
  the next size is predicted (pessimistically) to break the time budget, counting
  ``make_input`` too. Cheap O(1) functions therefore reach n=1e5..1e6, where a C
  ``memmove`` (``list.pop(0)``) finally dominates call overhead; exponential ones
  stop doubling early and step by +1..+8 instead.
* **Timing like ``timeit``.** Batches auto-ranged to about a millisecond, garbage
  collector off, and per size the *minimum* per-call time over several rounds
  taken in rotation across sizes, so a burst of load elsewhere on the machine hits
  one round of every size rather than every round of one size.
* **Robust fitting where work dominates.** Only sizes at least 4x slower than the
  fastest are fitted (or all sizes n >= 8 if time barely grows). A Theil-Sen
  log-log slope picks the polynomial power; a log factor (log n over 1, n log n
  over n) is added only if ``t = a + b*g(n)`` (``a, b >= 0``) fits clearly better
  *and* the growth shows in both halves of the size range, as a log factor does and
  a cache step does not.
* **Exact counts where timing is blind** (workcount.py). At small sizes one
  call is traced and its bytecodes counted, on an input whose ints, floats and
  strings are *counted keys* (comparisons, hash and arithmetic written in Python),
  so the comparisons inside ``sorted``, ``bisect`` or ``heapq`` count too. Counts
  have no noise: they settle the log factor that cache effects blur in timings.
  They are a lower bound (a C ``memmove`` runs no bytecode), so timing still wins
  when it shows a higher power.
* **Asymmetric checks.** Cache and TLB misses can make a C-level dict lookup ~10x
  slower between n=1e3 and n=1e6. So a check fails only on clear evidence: exact
  counts of a worse class, timed work growing 16x beyond the expected class over
  the whole size range (64x with a power in either half), or, for work in C, a
  timed log factor that doubles the work and rises steadily throughout. Anything
  in between is measured more, then reported "inconclusive", which counts as
  passed. Labels are for humans; verdicts never rest on a label alone.

docs/complexity.md has the method in full, the benchmark figures and the blind spots.

Modules, in the order a check runs them: timing.py (sizes, timed rounds and
bytecode counts within the budget), workcount.py (the exact counters), fit.py
(slopes, fits and class labels), verdict.py (`estimate`, `check` and their result
types). The public API is re-exported by `mlgrader.complexity`.
"""
