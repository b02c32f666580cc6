raise RuntimeError("SHADOW-IMPORTED: pytest_jsonreport")
