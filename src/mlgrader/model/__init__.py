"""The model: challenges, rubrics, limits and scorecards as plain data.

Everything else builds on this layer and it builds on nothing but ``mlgrader.errors``:
no pytest, no processes, no rendering. Reports read it, the engine fills it in.
"""
