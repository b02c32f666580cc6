raise RuntimeError("SHADOW-IMPORTED: random")
