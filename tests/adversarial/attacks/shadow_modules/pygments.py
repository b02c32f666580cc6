raise RuntimeError("SHADOW-IMPORTED: pygments")
