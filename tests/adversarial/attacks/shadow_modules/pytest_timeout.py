raise RuntimeError("SHADOW-IMPORTED: pytest_timeout")
