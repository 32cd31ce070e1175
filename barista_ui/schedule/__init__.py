"""Off-hours schedules: the schedule language (``language``), who decides for a model
(``decide``), the engine that scales models down and back (``engine``), the APScheduler runner and
the leader lock that keeps one actor among several replicas.

May import ``records``, ``data`` and ``k8s``; not ``cost``, ``cluster`` or ``cli``.
"""
