raise RuntimeError("SHADOW-IMPORTED: linecache")
