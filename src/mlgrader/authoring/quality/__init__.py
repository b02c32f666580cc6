"""Static code-quality checks for the "OOP cleanliness" rubric; public names: mlgrader.quality.

- report.py: the QualityReport model and the ``require_*`` assertions test authors call;
- entry.py: ``analyze_paths`` / ``analyze_source``, reading files into one report;
- analysis.py: the pass over one module's syntax tree that measures it;
- nodes.py: small questions about ``ast`` nodes the analysis asks.
"""
