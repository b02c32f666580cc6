"""Static code-quality checks for the "OOP cleanliness" rubric (public names: mlgrader.quality)."""
