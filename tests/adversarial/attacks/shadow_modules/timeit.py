raise RuntimeError("SHADOW-IMPORTED: timeit")
