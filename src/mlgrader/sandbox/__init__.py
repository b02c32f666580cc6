"""The sandbox: a process per test, kernel protections, and the checks for tampering.

``fork`` runs one test in its own process; ``kernel`` applies what the OS offers
(resource limits, Landlock, namespaces, a cgroup jail); ``tamper``, ``canaries``
and ``scan`` catch a submission that tries to forge its results.
"""
