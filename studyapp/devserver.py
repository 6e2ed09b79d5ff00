"""Django's development server (`manage.py runserver`, the test suite's live server) without a
40 ms stall on every response.

Django's server (wsgiref underneath) writes a response in several small sends: the status line,
the headers, the body. On a socket with Nagle's algorithm on, as accepted sockets are by
default, a small send waits until the previous one is acknowledged, and the client's TCP stack
delays that acknowledgement (up to 40 ms on Linux). So each response waited for it: on this
machine GET /api/v1/health/ took 50 ms through the live server, 2 ms with TCP_NODELAY
(benchmarks/dev_server.py). gunicorn, which serves production, is not affected.
"""
import socket

from django.core.servers import basehttp


class NoDelay:
    """Accepted sockets send each write at once (TCP_NODELAY)."""

    def get_request(self):
        sock, address = super().get_request()  # type: ignore[misc]  # a socketserver.TCPServer's
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock, address


class WSGIServer(NoDelay, basehttp.WSGIServer):
    """runserver's server (studyapp/management/commands/runserver.py)."""


class ThreadedWSGIServer(NoDelay, basehttp.ThreadedWSGIServer):
    """The live server's (LiveServerThread.server_class, set in tests/conftest.py)."""
