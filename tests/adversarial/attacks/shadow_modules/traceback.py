raise RuntimeError("SHADOW-IMPORTED: traceback")
