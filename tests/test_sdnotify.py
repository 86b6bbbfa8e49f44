"""sd_notify reaches a real AF_UNIX datagram socket, path and abstract, and is silent unset."""

import os
import socket

from kiosk.pi.sdnotify import Notifier


def _server(address: str) -> socket.socket:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(address)
    s.settimeout(2)
    return s


def test_ready_watchdog_stopping_on_a_path_socket(tmp_path, monkeypatch):
    path = str(tmp_path / "notify")
    srv = _server(path)
    monkeypatch.setenv("NOTIFY_SOCKET", path)
    monkeypatch.setenv("WATCHDOG_USEC", "2000000")  # 2 s: ping at most every 0.5 s
    now = [100.0]
    n = Notifier(clock=lambda: now[0])
    assert n.ready("coaching")
    assert srv.recv(256) == b"READY=1\nSTATUS=coaching"
    assert n.watchdog()
    assert srv.recv(256) == b"WATCHDOG=1"
    now[0] += 0.1
    assert not n.watchdog()  # rate-limited: too soon
    now[0] += 0.5
    assert n.watchdog()
    assert srv.recv(256) == b"WATCHDOG=1"
    assert n.stopping()
    assert srv.recv(256) == b"STOPPING=1"
    n.close()
    srv.close()


def test_abstract_namespace_socket(monkeypatch):
    name = f"hinge-mirror-test-{os.getpid()}"
    srv = _server("\0" + name)
    monkeypatch.setenv("NOTIFY_SOCKET", "@" + name)
    n = Notifier()
    assert n.ready()
    assert srv.recv(256) == b"READY=1"
    srv.close()


def test_unset_does_nothing(monkeypatch):
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    n = Notifier()
    assert not n.enabled
    assert not n.ready() and not n.watchdog() and not n.stopping()


def test_dead_socket_is_logged_not_raised(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("NOTIFY_SOCKET", str(tmp_path / "gone"))
    n = Notifier()
    assert not n.ready()
    assert "sd_notify" in caplog.text
    assert not n.enabled  # gave up: no log spam every frame
