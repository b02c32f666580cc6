raise RuntimeError("SHADOW-IMPORTED: attrs")
