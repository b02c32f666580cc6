raise RuntimeError("SHADOW-IMPORTED: tomllib")
