"""Model records: the spec and its validation and file format (``spec``), the registry that
stores records with their revisions (``registry``), the one write path that checks a change with
the cluster before saving it (``service``), and the replica rule (``replicas``).

May import ``data`` and ``k8s.manifests``; not ``cluster``, ``schedule``, ``cost`` or ``cli``.
"""
