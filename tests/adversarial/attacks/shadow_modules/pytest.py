raise RuntimeError("SHADOW-IMPORTED: pytest")
