raise RuntimeError("SHADOW-IMPORTED: jsonschema")
