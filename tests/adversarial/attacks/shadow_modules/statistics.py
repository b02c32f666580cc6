raise RuntimeError("SHADOW-IMPORTED: statistics")
