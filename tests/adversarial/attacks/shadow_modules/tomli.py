raise RuntimeError("SHADOW-IMPORTED: tomli")
