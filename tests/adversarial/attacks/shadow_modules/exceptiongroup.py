raise RuntimeError("SHADOW-IMPORTED: exceptiongroup")
