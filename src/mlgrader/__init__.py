"""mlgrader: grade take-home coding challenges by rubric category."""

from __future__ import annotations

__version__ = "0.1.0"
