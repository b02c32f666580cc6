"""Helpers for challenge test authors (the modules behind ``mlgrader.testing``)."""
