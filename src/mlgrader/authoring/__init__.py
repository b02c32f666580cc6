"""The test-author API: code that runs in the test process next to candidate code."""
