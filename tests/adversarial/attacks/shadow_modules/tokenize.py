raise RuntimeError("SHADOW-IMPORTED: tokenize")
