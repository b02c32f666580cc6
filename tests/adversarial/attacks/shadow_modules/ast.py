raise RuntimeError("SHADOW-IMPORTED: ast")
