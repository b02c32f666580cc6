raise RuntimeError("SHADOW-IMPORTED: importlib_metadata")
