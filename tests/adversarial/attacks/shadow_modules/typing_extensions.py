raise RuntimeError("SHADOW-IMPORTED: typing_extensions")
