raise RuntimeError("SHADOW-IMPORTED: nested")
