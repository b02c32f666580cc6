raise RuntimeError("SHADOW-IMPORTED: py")
