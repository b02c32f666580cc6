raise RuntimeError("SHADOW-IMPORTED: faulthandler")
