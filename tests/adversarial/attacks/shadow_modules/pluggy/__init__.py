raise RuntimeError("SHADOW-IMPORTED: pluggy")
