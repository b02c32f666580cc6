raise RuntimeError("SHADOW-IMPORTED: gc")
