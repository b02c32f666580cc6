raise RuntimeError("SHADOW-IMPORTED: mlgrader_support")
