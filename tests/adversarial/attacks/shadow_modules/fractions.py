raise RuntimeError("SHADOW-IMPORTED: fractions")
