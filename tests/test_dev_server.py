"""The development server and the live server send each response at once (TCP_NODELAY): without
it, every response of Django's server waited for the client's delayed acknowledgement (about
40 ms; benchmarks/dev_server.py measures it)."""
import socket

from django.core.management import get_commands, load_command_class
from django.core.servers.basehttp import WSGIRequestHandler
from django.test.testcases import LiveServerThread

from studyapp.devserver import ThreadedWSGIServer, WSGIServer


def accepted_nodelay(server_class) -> int:
    server = server_class(("127.0.0.1", 0), WSGIRequestHandler)
    try:
        client = socket.create_connection(server.server_address[:2])
        try:
            sock, _ = server.get_request()
            try:
                return sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
            finally:
                sock.close()
        finally:
            client.close()
    finally:
        server.server_close()


def test_runserver_is_the_projects_on_a_server_whose_sockets_send_at_once():
    command = load_command_class(get_commands()["runserver"], "runserver")
    assert command.server_cls is WSGIServer
    assert accepted_nodelay(WSGIServer) == 1


def test_the_live_server_sends_at_once_too():
    assert LiveServerThread.server_class is ThreadedWSGIServer  # tests/conftest.py
    assert accepted_nodelay(ThreadedWSGIServer) == 1


def test_djangos_own_server_does_not_which_is_why_these_exist():
    from django.core.servers import basehttp

    assert accepted_nodelay(basehttp.WSGIServer) == 0
