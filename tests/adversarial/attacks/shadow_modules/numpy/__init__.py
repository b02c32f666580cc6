raise RuntimeError("SHADOW-IMPORTED: numpy")
