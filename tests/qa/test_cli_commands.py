"""The commands' argument checks that need no model: transcribe, score, sample and demo logins."""

from __future__ import annotations

import pytest

from qa.models import SamplingPolicy
from qa.services import sampling


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["transcribe"], "nothing to do: give interaction ids, --pending or --retry-failed"),
        (
            ["transcribe", "--pending"],
            "nothing to do: give interaction ids, --pending or --retry-failed",
        ),
        (["transcribe", "999998", "999999"], "no interaction with id 999998, 999999"),
        (["score"], "nothing to score: give interaction ids, --pending or --all"),
        (["score", "--pending"], "nothing to score: give interaction ids, --pending or --all"),
        (
            ["sample", "run", "--week", "2026-W47", "--last-week"],
            "give exactly one of --week 2026-W47 or --last-week",
        ),
        (
            ["sample", "coverage", "--policy", "1"],
            "give exactly one of --week 2026-W47 or --last-week",
        ),
        (
            ["sample", "coverage", "--last-week", "--policy", "999"],
            "no sampling policy with id 999",
        ),
        (["sample", "policy", "--id", "999", "--team", "Red"], "no sampling policy with id 999"),
        (["sample", "run", "--last-week"], "no active sampling policy: create one first"),
    ],
)
def test_bad_arguments_are_one_line(app, world, args, message):
    """Nothing to do, unknown ids and contradicting options are `Error: <reason>` and exit status 1."""
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 1
    assert result.output == f"Error: {message}\n"


def test_sample_run_of_an_inactive_policy_is_refused(app, world):
    """`sample run --policy ID` names only active policies; an inactive one is refused by its id."""
    runner = app.test_cli_runner()
    assert runner.invoke(args=["sample", "policy", "--team", "Red", "--name", "Off"]).exit_code == 0
    [policy] = sampling.active_policies()
    assert isinstance(policy, SamplingPolicy)
    assert runner.invoke(
        args=["sample", "policy", "--id", str(policy.id), "--inactive"]
    ).output == (f"updated sampling policy {policy.id} (Off)\n")
    result = runner.invoke(args=["sample", "run", "--last-week", "--policy", str(policy.id)])
    assert result.exit_code == 1
    assert result.output == f"Error: no active sampling policy with id {policy.id}\n"


def test_demo_logins_are_printed(app):
    """`demo logins` prints the shared password and one line per demo account."""
    from qa.demo import DEMO_PASSWORD, demo_accounts

    lines = app.test_cli_runner().invoke(args=["demo", "logins"]).output.splitlines()
    assert lines[0] == f"Demo logins (password for all: {DEMO_PASSWORD}):"
    assert lines[1:] == [f"  {role:9} {email}" for role, email in demo_accounts()]
