raise RuntimeError("SHADOW-IMPORTED: attr")
