raise RuntimeError("SHADOW-IMPORTED: six")
