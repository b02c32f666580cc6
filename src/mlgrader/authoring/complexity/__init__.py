"""Empirical time-complexity checks (the engine behind ``mlgrader.complexity``)."""
