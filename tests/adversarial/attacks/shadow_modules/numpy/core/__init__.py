raise RuntimeError("SHADOW-IMPORTED: numpy.core")
