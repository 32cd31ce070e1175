"""Lease leader election against the simulator, on an explicit clock: one holder; takeover only
after the lease went unrenewed for its duration; a leader that cannot renew stops before that;
writes carry the resourceVersion read; a clean release lets a successor in at once."""

from __future__ import annotations

import pytest
from kubernetes import client
from kubernetes.client.exceptions import ApiException

from k8s.lease import LeaseElector
from tests.k8s_fixtures import sim  # noqa: F401


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def electors(sim, clock: Clock, *names: str) -> list[LeaseElector]:  # noqa: F811
    return [LeaseElector(sim.api_client(), "default", holder=n, clock=clock) for n in names]


def holder(sim) -> str | None:  # noqa: F811
    return sim.get_object("Lease", "default", "barista-scheduler")["spec"].get("holderIdentity")


def test_one_leader_then_takeover_only_after_the_lease_expired(sim) -> None:  # noqa: F811
    clock = Clock()
    a, b = electors(sim, clock, "a", "b")
    assert a.try_acquire() is True and b.try_acquire() is False
    clock.t = 4.0
    assert a.try_acquire() is True  # renewed
    assert b.try_acquire() is False
    # a dies (no more renewals): b waits a whole lease duration from when it saw the last renewal
    clock.t = 13.9
    assert b.try_acquire() is False
    clock.t = 14.0
    assert b.try_acquire() is True and holder(sim) == "b"
    assert sim.get_object("Lease", "default", "barista-scheduler")["spec"]["leaseTransitions"] == 1


def test_a_leader_that_cannot_renew_stops_before_anyone_may_start(sim) -> None:  # noqa: F811
    clock = Clock()
    a, b = electors(sim, clock, "a", "b")
    assert a.try_acquire() and not b.try_acquire()  # b saw a's renewal at 0
    renewed_at = 0.0
    sim.stop()  # the API server is gone for everyone
    clock.t = 6.9
    assert a.try_acquire() is True  # still inside the renew deadline
    clock.t = renewed_at + a.renew_deadline_s
    assert a.try_acquire() is False and a.holds() is False
    # nobody else could have started yet: the earliest takeover is a lease duration after
    assert a.renew_deadline_s < a.lease_s


def test_writes_are_conditional_on_the_version_read(sim) -> None:  # noqa: F811
    clock = Clock()
    (a,) = electors(sim, clock, "a")
    assert a.try_acquire()
    stale = a._read()
    assert a.try_acquire()  # a renewal moves the resourceVersion on
    with pytest.raises(ApiException) as refused:
        a._replace(stale, {**stale["spec"], "holderIdentity": "intruder"})
    assert refused.value.status == 409
    assert holder(sim) == "a"


def test_release_lets_the_next_one_in_at_once(sim) -> None:  # noqa: F811
    clock = Clock()
    a, b = electors(sim, clock, "a", "b")
    assert a.try_acquire() and not b.try_acquire()
    a.release()
    assert a.holds() is False and holder(sim) is None
    assert b.try_acquire() is True  # no waiting for the lease to expire


def test_the_renew_deadline_must_be_shorter_than_the_lease(sim) -> None:  # noqa: F811
    with pytest.raises(ValueError, match="renew deadline"):
        LeaseElector(client.ApiClient(), "default", lease_s=5, renew_deadline_s=5)
