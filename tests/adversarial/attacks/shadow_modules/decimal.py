raise RuntimeError("SHADOW-IMPORTED: decimal")
