raise RuntimeError("SHADOW-IMPORTED: dataclasses")
