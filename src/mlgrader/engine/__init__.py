"""The trusted grader: prepare a clean room, run pytest on it, fold the results into a Scorecard.

``grade`` drives a submission through ``workspace`` (the copy), ``runner`` (the
pytest process) and ``protocol`` (the records that come back); ``session`` and its
neighbours are the plugin's hooks inside that pytest process.
"""
