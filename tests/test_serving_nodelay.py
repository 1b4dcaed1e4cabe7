"""The server's HTTP responses go out at once (TCP_NODELAY on the listening socket Streamlit binds); the websocket
keeps Nagle's algorithm, which coalesces a page run's many small messages.

Streamlit binds its socket as `socket.socket(family)` (proto 0), so asyncio leaves Nagle's algorithm on for every
accepted connection, and each kept-alive response after the first waited for the browser's delayed ACK (~40 ms).
`serving.no_delay_on_listeners` sets TCP_NODELAY on the process's listening sockets; accepted ones inherit it.
`serving.NagleOnWebsockets` turns it off again for each websocket connection (serving.nagle_for).
"""
from __future__ import annotations

import asyncio
import socket

import pytest

from analytics import serving


def nodelay(sock: socket.socket) -> int:
    return sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)


@pytest.fixture
def listener():
    """A listening socket bound the way Streamlit binds the server's (family only: proto 0)."""
    sock = socket.socket(family=socket.AF_INET)
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    yield sock
    sock.close()


def accepted(listener: socket.socket) -> tuple[socket.socket, socket.socket]:
    client = socket.create_connection(listener.getsockname())
    server_side, _ = listener.accept()
    return client, server_side


def test_a_socket_bound_like_streamlits_accepts_connections_with_nagle_on(listener):
    client, server_side = accepted(listener)
    with client, server_side:
        assert server_side.proto == 0  # why asyncio does not set TCP_NODELAY on it
        assert nodelay(server_side) == 0


def test_after_no_delay_on_listeners_every_accepted_connection_has_tcp_nodelay(listener):
    assert serving.no_delay_on_listeners() >= 1
    assert nodelay(listener) == 1
    for _ in range(2):
        client, server_side = accepted(listener)
        with client, server_side:
            assert nodelay(server_side) == 1
            client.sendall(b"ping")
            assert server_side.recv(4) == b"ping"  # the listener and its connections work as before


def test_connections_and_other_sockets_are_left_as_they_are(listener):
    client, server_side = accepted(listener)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    with client, server_side, udp:
        serving.no_delay_on_listeners()
        assert nodelay(server_side) == 0  # an open connection is not a listener: not touched
        assert nodelay(client) == 0
        assert udp.fileno() >= 0 and listener.fileno() >= 0  # the duplicates closed, the originals open


def test_nagle_for_turns_nagle_back_on_for_that_peers_connection_only(listener):
    serving.no_delay_on_listeners()
    first, first_served = accepted(listener)
    second, second_served = accepted(listener)
    with first, first_served, second, second_served:
        assert nodelay(first_served) == nodelay(second_served) == 1
        assert serving.nagle_for(first.getsockname()) is True
        assert (nodelay(first_served), nodelay(second_served)) == (0, 1)
        assert nodelay(listener) == 1  # later connections still start without Nagle
        assert serving.nagle_for(("127.0.0.1", 9)) is False and serving.nagle_for(None) is False


def test_the_middleware_gives_websockets_nagle_and_leaves_http_requests_alone(listener):
    serving.no_delay_on_listeners()
    passed = []

    async def app(scope, receive, send):
        passed.append(scope["type"])
    middleware = serving.NagleOnWebsockets(app)
    ws, ws_served = accepted(listener)
    http, http_served = accepted(listener)
    with ws, ws_served, http, http_served:
        asyncio.run(middleware({"type": "http", "client": http.getsockname()}, None, None))
        asyncio.run(middleware({"type": "websocket", "client": ws.getsockname()}, None, None))
        assert passed == ["http", "websocket"]
        assert (nodelay(ws_served), nodelay(http_served)) == (0, 1)
