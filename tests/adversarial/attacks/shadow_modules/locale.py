raise RuntimeError("SHADOW-IMPORTED: locale")
