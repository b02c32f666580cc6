"""The process boundary between the judge and the judged.

Candidate code runs in a process of its own; the test, pytest and every judging
helper stay in the trusted test process and reach candidate objects only
through references (``trusted.Ref``) over one socket. ``wire`` says what may
cross by value, ``endpoint`` carries calls in both directions with a thread on
the far side per calling thread, ``trusted`` and ``candidate`` are the two
ends, and ``spawn`` starts candidate processes from a clean interpreter.

The modules a call passes through on the trusted side (refs, trusted, endpoint,
lanes) set ``__tracebackhide__``: pytest leaves their frames out of a failed test's
traceback, so a scorecard shows the test's line and then the candidate's own
traceback, not six frames of channel between them, and pytest no longer reads and
parses their source for every failure (a third of the CPU of grading a stub).
"""
