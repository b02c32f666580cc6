"""Batch grading: a round of submissions side by side, locally or on Dask, with its report."""
