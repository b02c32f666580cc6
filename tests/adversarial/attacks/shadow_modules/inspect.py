raise RuntimeError("SHADOW-IMPORTED: inspect")
