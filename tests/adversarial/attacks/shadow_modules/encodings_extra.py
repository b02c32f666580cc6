raise RuntimeError("SHADOW-IMPORTED: encodings_extra")
