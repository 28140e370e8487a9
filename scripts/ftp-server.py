#!/usr/bin/env python3
# An FTP server for the clip store tests: pyftpdlib on one loopback port, plain FTP and explicit
# FTPS (AUTH TLS) both accepted, one user whose home is ROOT. Started by scripts/ftp-server.sh.
#
#   ftp-server.py PORT ROOT CERT KEY USER PASSWORD_FILE
#
# The password is read from a file (mode 0600) so it never shows in the process list.
import logging
import os
import sys

# Close what the starting process left open (beyond stdin, stdout and stderr): a test runner's
# pipe or socket kept open here would make it wait for this server as if it were the script.
os.closerange(3, 65536)

from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import TLS_FTPHandler
from pyftpdlib.servers import FTPServer

port, root, cert, key, user, password_file = sys.argv[1:7]
with open(password_file) as f:
    password = f.read().strip()

authorizer = DummyAuthorizer()
# e l r a d f m w M T: change directory, list, read, append, delete, rename, mkdir, write, chmod, mtime.
authorizer.add_user(user, password, root, perm="elradfmwMT")


class Handler(TLS_FTPHandler):
    pass


# FTP_WITHOUT_MLSD=1: a server that predates RFC 3659 (answers MLSD and MLST with 500), so the
# clients' fallback listing (NLST, then SIZE for each file) is tested too.
if os.environ.get("FTP_WITHOUT_MLSD") == "1":
    Handler.proto_cmds = {name: value for name, value in Handler.proto_cmds.items() if name not in ("MLSD", "MLST")}


Handler.authorizer = authorizer
Handler.certfile = cert
Handler.keyfile = key
Handler.tls_control_required = False  # plain FTP allowed on the same port (the ftp:// tests)
Handler.tls_data_required = False
Handler.banner = "swift-kmip test FTP server"
Handler.permit_foreign_addresses = False

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
server = FTPServer(("127.0.0.1", int(port)), Handler)
server.max_cons = 64
server.serve_forever()
