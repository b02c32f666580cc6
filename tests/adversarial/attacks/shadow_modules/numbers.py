raise RuntimeError("SHADOW-IMPORTED: numbers")
