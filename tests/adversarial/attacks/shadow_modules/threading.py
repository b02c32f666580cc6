raise RuntimeError("SHADOW-IMPORTED: threading")
