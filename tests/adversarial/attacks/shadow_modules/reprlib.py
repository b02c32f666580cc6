raise RuntimeError("SHADOW-IMPORTED: reprlib")
