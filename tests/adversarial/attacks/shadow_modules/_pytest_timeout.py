raise RuntimeError("SHADOW-IMPORTED: _pytest_timeout")
