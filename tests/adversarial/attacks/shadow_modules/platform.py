raise RuntimeError("SHADOW-IMPORTED: platform")
