raise RuntimeError("SHADOW-IMPORTED: _pytest")
