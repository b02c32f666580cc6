raise RuntimeError("SHADOW-IMPORTED: click")
