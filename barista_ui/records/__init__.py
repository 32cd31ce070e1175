"""Model records: the fields and their validation (``spec``, with ``limits`` and ``names`` for
lengths, quantities and Kubernetes name rules, ``errors`` for field errors), files (``file_format``),
revision diffs (``diff``), what readers get (``record``), the SQL mapping (``rows``), the registry
that stores records with their revisions in one transaction (``registry``), the one write path
that checks a change with the cluster before saving it (``service``), the replica rule
(``replicas``) and a cached record list (``snapshot``).

May import ``data``, ``k8s.manifests``/``k8s.quantity`` and the pure schedule language
(``schedule.language``, to validate a record's schedule); no other capability.
"""
