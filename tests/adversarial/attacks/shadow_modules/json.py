raise RuntimeError("SHADOW-IMPORTED: json")
