raise RuntimeError("SHADOW-IMPORTED: zipp")
