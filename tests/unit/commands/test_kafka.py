"""`python -m streams kafka`: the drill commands read from stdin."""
from __future__ import annotations


def test_stdin_commands_parse():
    from streams.commands.kafka import parse_command
    assert parse_command("start", 3) == ("start", [0, 1, 2])
    assert parse_command("kill 2", 3) == ("kill", [1])
    assert parse_command("STOP 1 3", 3) == ("stop", [0, 2])
    assert parse_command("status", 3) == ("status", [])
    assert "no node" in parse_command("kill 4", 3)
    assert "needs a node" in parse_command("kill", 3)
    assert "unknown command" in parse_command("reboot 1", 3)
