raise RuntimeError("SHADOW-IMPORTED: concurrent")
