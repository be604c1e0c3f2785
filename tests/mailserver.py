"""A real SMTP server for tests: aiosmtpd on a free loopback port, in a thread of its own
(PITFALLS: its Controller cannot bind port 0 and prefers ::1, so the server is created in the
thread's loop as aiosmtplib's own test fixtures do, and the port read from the socket)."""

from __future__ import annotations

import asyncio
import email
import socket
import threading
from email.message import EmailMessage
from email.policy import default
from typing import Any

from aiosmtpd.smtp import SMTP


class Inbox:
    """The aiosmtpd handler: keeps every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []
        self.raw: list[bytes] = []  # each message as it came, for parsers of the test's choice
        self.delay = 0.0  # seconds to wait before accepting each message

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.delay:
            await asyncio.sleep(self.delay)
        parsed = email.message_from_bytes(envelope.content, policy=default)
        self.messages.append((list(envelope.rcpt_tos), parsed))  # type: ignore[arg-type]
        self.raw.append(envelope.original_content or envelope.content)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for rcpts, m in self.messages if address in rcpts]


class SmtpServer:
    def __init__(self) -> None:
        self.inbox = Inbox()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.server: asyncio.base_events.Server | None = None
        self.port = free_port()

    def start(self) -> None:
        async def create() -> asyncio.base_events.Server:
            return await self.loop.create_server(
                lambda: SMTP(self.inbox, hostname="localhost"), host="127.0.0.1", port=self.port,
                reuse_address=True)
        self.server = asyncio.run_coroutine_threadsafe(create(), self.loop).result(10)

    def stop(self) -> None:
        if self.server is not None:
            async def close() -> None:
                self.server.close()  # type: ignore[union-attr]
                await self.server.wait_closed()  # type: ignore[union-attr]
            asyncio.run_coroutine_threadsafe(close(), self.loop).result(10)
            self.server = None

    def shutdown(self) -> None:
        self.stop()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


def free_port() -> int:
    """A loopback port nobody listens on (for a server that is down, or not yet up)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
