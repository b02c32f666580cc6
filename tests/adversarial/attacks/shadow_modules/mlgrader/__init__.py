raise RuntimeError("SHADOW-IMPORTED: mlgrader")
