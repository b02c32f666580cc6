raise RuntimeError("SHADOW-IMPORTED: packaging")
