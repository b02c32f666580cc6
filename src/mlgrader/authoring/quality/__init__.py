"""Static code-quality checks for the "OOP cleanliness" rubric; public names: mlgrader.quality.

- report.py: the QualityReport model and the ``require_*`` assertions test authors call;
- entry.py: ``analyze_paths`` / ``analyze_source``, reading files into one report;
- analysis.py: mlgrader's own pass over a module's tree, for what no linter computes
  (LCOM4 cohesion, mutable module state, public instance state, duplicated blocks, the
  per-function measurements tests put limits on);
- lint.py: the bridge to radon (cyclomatic complexity) and ruff (rule-based findings);
- nodes.py: small questions about ``ast`` nodes the analysis asks.
"""
