"""Reports: views of one Scorecard as text, markdown, JSON, JUnit XML and Gradescope JSON.

Pure functions of the model; nothing here grades, runs or imports pytest.
"""
