raise RuntimeError("SHADOW-IMPORTED: colorama")
