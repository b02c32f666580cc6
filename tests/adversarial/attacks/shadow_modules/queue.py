raise RuntimeError("SHADOW-IMPORTED: queue")
