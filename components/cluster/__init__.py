"""The Cluster tab and the live parts of the Models tab: sync and pod status, replica controls."""
