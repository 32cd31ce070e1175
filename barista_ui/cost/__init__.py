"""Cost: the cost model (``model``), rates (``rates``), price files, replica history from the
watch (``history``), the service that stores history, roll-ups, prices, budgets and billing
(``service``), billing-file parsing (``billing``), the OpenCost client and the overview the Cost tab
and model panel show (``overview``).

May import ``records``, ``data`` and ``k8s.manifests``; not ``cluster`` or ``cli``.
"""
