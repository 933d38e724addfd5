#!/usr/bin/python3
"""An SMTP receiver for tests: aiosmtpd on 127.0.0.1 that records every message.

Prints "PORT <n>" on its first stdout line once it listens (port 0 asks the kernel for a free
one). Then:

  the first --refuse-connections connections   get "421 Service not available" and are closed
  the first --fail-messages messages           are refused at DATA with --fail-code (451)
  every later message                          is accepted (250)

With --delay-seconds T every answer to DATA comes T seconds late (a slow but healthy server).

With --auth USER:PASSWORD the server offers AUTH PLAIN and LOGIN without TLS and requires
them; other credentials get 535, which with --echo-auth repeats the login and password that
were tried (a server that echoes what it was sent).

With --tls-cert CERT --tls-key KEY (PEM files) and one mode it speaks TLS:

  --starttls        offers STARTTLS and requires it: before it, every command other than
                    EHLO, NOOP and QUIT gets 530 (smtp:// with STARTTLS)
  --implicit-tls    TLS from the first byte, as an smtps:// server

Each message that reaches DATA is recorded as RECORD/NNNN.json (temporary name, then renamed):
  {"index": 0, "accepted": true, "response": "250 OK", "mail_from": "a@x",
   "rcpt_tos": ["b@y"], "auth_login": "user", "tls": false,
   "data": "<the message as received>"}
("tls": whether the message came over TLS, STARTTLS or implicit.)
Refused connections are counted in RECORD/refused_connections (a number). Stop it with
SIGTERM. Needs aiosmtpd (Debian python3-aiosmtpd).
"""

import argparse
import asyncio
import json
import logging
import os
import signal
import ssl
import sys
import warnings

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


def write_atomically(path, text):
    with open(path + ".tmp", "w", encoding="utf-8") as out:
        out.write(text)
    os.replace(path + ".tmp", path)


class Recorder:
    def __init__(self, folder, fail_messages, fail_code, delay_seconds):
        self.folder = folder
        self.fail_messages = fail_messages
        self.fail_code = fail_code
        self.delay_seconds = delay_seconds
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        index = self.count
        self.count += 1
        accepted = index >= self.fail_messages
        response = ("250 OK" if accepted else
                    "%d 4.3.0 Simulated temporary failure, try again later" % self.fail_code)
        login = None
        if isinstance(session.auth_data, LoginPassword):
            login = session.auth_data.login.decode("utf-8", "replace")
        record = {
            "index": index,
            "accepted": accepted,
            "response": response,
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "auth_login": login,
            "tls": server.transport.get_extra_info("ssl_object") is not None,
            "data": envelope.content.decode("utf-8", "replace"),
        }
        write_atomically(os.path.join(self.folder, "%04d.json" % index),
                         json.dumps(record, indent=1))
        if self.delay_seconds > 0:
            await asyncio.sleep(self.delay_seconds)
        return response


class Refuser(asyncio.Protocol):
    """Answers 421 and hangs up, like a server that is overloaded or restarting."""

    def connection_made(self, transport):
        transport.write(b"421 4.3.2 Service not available, try again later\r\n")
        transport.close()


async def serve(args):
    loop = asyncio.get_running_loop()
    handler = Recorder(args.record, args.fail_messages, args.fail_code, args.delay_seconds)
    refused = {"count": 0}
    user, password = (args.auth.split(":", 1) + [""])[:2] if args.auth else (None, None)

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword)
              and auth_data.login.decode() == user and auth_data.password.decode() == password)
        # handled=False: aiosmtpd itself answers 535 to wrong credentials (or our message).
        message = None
        if not ok and args.echo_auth and isinstance(auth_data, LoginPassword):
            message = "535 5.7.8 Authentication failed for %s with password %s" % (
                auth_data.login.decode("utf-8", "replace"),
                auth_data.password.decode("utf-8", "replace"))
        return AuthResult(success=ok, handled=False, message=message,
                          auth_data=auth_data if ok else None)

    tls_context = None
    if args.tls_cert:
        tls_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls_context.load_cert_chain(args.tls_cert, args.tls_key)
    smtp_options = {}
    if args.starttls:
        smtp_options = {"tls_context": tls_context, "require_starttls": True}
    if args.auth:
        smtp_options.update(auth_required=True, auth_require_tls=False,
                            authenticator=authenticator)

    def factory():
        if refused["count"] < args.refuse_connections:
            refused["count"] += 1
            write_atomically(os.path.join(args.record, "refused_connections"),
                             str(refused["count"]))
            return Refuser()
        return SMTP(handler, hostname="geosweep-test", loop=loop, **smtp_options)

    server = await loop.create_server(factory, "127.0.0.1", args.port,
                                      ssl=tls_context if args.implicit_tls else None)
    print("PORT %d" % server.sockets[0].getsockname()[1], flush=True)
    stop = loop.create_future()
    loop.add_signal_handler(signal.SIGTERM, lambda: stop.done() or stop.set_result(None))
    async with server:
        await stop


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--record", required=True, help="folder for the recorded messages")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--refuse-connections", type=int, default=0)
    parser.add_argument("--fail-messages", type=int, default=0)
    parser.add_argument("--fail-code", type=int, default=451)
    parser.add_argument("--delay-seconds", type=float, default=0.0,
                        help="wait this long before answering DATA")
    parser.add_argument("--auth", default=None, help="USER:PASSWORD to require")
    parser.add_argument("--echo-auth", action="store_true",
                        help="repeat the credentials tried in the 535 answer")
    parser.add_argument("--tls-cert", default=None, help="PEM certificate for TLS")
    parser.add_argument("--tls-key", default=None, help="PEM private key of --tls-cert")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--starttls", action="store_true", help="offer and require STARTTLS")
    mode.add_argument("--implicit-tls", action="store_true", help="TLS from the start (smtps)")
    args = parser.parse_args()
    if (args.tls_cert is None) != (args.tls_key is None):
        parser.error("--tls-cert and --tls-key go together")
    if bool(args.tls_cert) != (args.starttls or args.implicit_tls):
        parser.error("--tls-cert/--tls-key need --starttls or --implicit-tls, and those need them")
    os.makedirs(args.record, exist_ok=True)
    # AUTH without TLS is deliberate here (loopback tests); keep stderr for real problems.
    warnings.filterwarnings("ignore", module="aiosmtpd")
    logging.getLogger("mail.log").setLevel(logging.ERROR)
    asyncio.run(serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
