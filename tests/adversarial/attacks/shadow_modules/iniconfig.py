raise RuntimeError("SHADOW-IMPORTED: iniconfig")
