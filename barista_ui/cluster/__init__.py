"""The cluster side of records: the reconciler that makes the cluster match the records, the
sync-status rows every view shows, the cluster service the page uses, and the hub that pushes
live changes to open pages.

May import ``records``, ``data`` and ``k8s``; not ``cost``, ``schedule`` or ``cli``.
"""
