"""A setup.py that would patch reports if anything ran it."""

import attack_plugin  # noqa: F401
