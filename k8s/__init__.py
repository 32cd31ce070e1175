"""Kubernetes: the client factory (``client``), manifest rendering (``manifests``), the gateway
that writes through the official client (``gateway``), list+watch live state (``live``) and the
cluster ``simulator`` used for the demo and the tests.

The only package that imports ``kubernetes``; imports nothing of Barista's other packages.
"""
