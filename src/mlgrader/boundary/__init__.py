"""The process boundary between the judge and the judged.

Candidate code runs in a process of its own; the test, pytest and every judging
helper stay in the trusted test process and reach candidate objects only
through references (``trusted.Ref``) over one socket. ``wire`` says what may
cross by value, ``endpoint`` carries calls in both directions with a thread on
the far side per calling thread, ``trusted`` and ``candidate`` are the two
ends, and ``spawn`` starts candidate processes from a clean interpreter.
"""
