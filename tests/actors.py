"""Actors for tests that are not about access: local operators (admins), named as before."""

from barista_ui.access.actor import operator

ANA = operator("ana")
BOB = operator("bob")
ONCALL = operator("oncall")
T = operator("t")
A = operator("a")
