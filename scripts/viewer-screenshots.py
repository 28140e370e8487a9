#!/usr/bin/env python3
"""Drives headless Chromium over the DevTools protocol to screenshot the clip viewer.

    viewer-screenshots.py CHROMIUM VIEWER_URL USER PASSWORD_FILE CLIP OUT_LIST OUT_PLAYING

Signs in through the real login form (no back door), saves the clip list, opens CLIP's player
page, waits until the video is playing and saves that. Standard library only (a small WebSocket
client), so it runs with any python3.
"""

import base64
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request


class DevTools:
    """A minimal WebSocket client speaking the Chrome DevTools protocol to one page."""

    def __init__(self, ws_url):
        rest = ws_url[len("ws://"):]
        hostport, path = rest.split("/", 1)
        host, port = hostport.rsplit(":", 1)
        self.sock = socket.create_connection((host, int(port)), timeout=60)
        key = base64.b64encode(os.urandom(16)).decode()
        request = (f"GET /{path} HTTP/1.1\r\nHost: {hostport}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n")
        self.sock.sendall(request.encode())
        response = b""
        while b"\r\n\r\n" not in response:
            piece = self.sock.recv(4096)
            if not piece:
                raise RuntimeError("DevTools closed the connection during the handshake")
            response += piece
        head, self.buffer = response.split(b"\r\n\r\n", 1)
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise RuntimeError(f"DevTools refused the WebSocket: {head[:200]!r}")
        self.next_id = 0
        self.events = []

    def _recv_exact(self, count):
        while len(self.buffer) < count:
            piece = self.sock.recv(1 << 16)
            if not piece:
                raise RuntimeError("DevTools closed the connection")
            self.buffer += piece
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def _send_text(self, text):
        payload = text.encode()
        header = bytearray([0x81])
        if len(payload) < 126:
            header.append(0x80 | len(payload))
        elif len(payload) < 1 << 16:
            header += bytes([0x80 | 126]) + struct.pack(">H", len(payload))
        else:
            header += bytes([0x80 | 127]) + struct.pack(">Q", len(payload))
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(bytes(header) + mask + masked)

    def _recv_message(self):
        message = b""
        while True:
            first, second = self._recv_exact(2)
            length = second & 0x7F
            if length == 126:
                length = struct.unpack(">H", self._recv_exact(2))[0]
            elif length == 127:
                length = struct.unpack(">Q", self._recv_exact(8))[0]
            if second & 0x80:
                self._recv_exact(4)  # servers do not mask; skip a mask if one is sent
            payload = self._recv_exact(length)
            opcode = first & 0x0F
            if opcode == 0x8:
                raise RuntimeError("DevTools closed the WebSocket")
            if opcode in (0x9, 0xA):  # ping, pong
                continue
            message += payload
            if first & 0x80:
                return json.loads(message)

    def call(self, method, **params):
        self.next_id += 1
        ident = self.next_id
        self._send_text(json.dumps({"id": ident, "method": method, "params": params}))
        while True:
            message = self._recv_message()
            if message.get("id") == ident:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"evaluating {expression!r}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression, seconds=30):
        deadline = time.time() + seconds
        while time.time() < deadline:
            if self.evaluate(expression):
                return
            time.sleep(0.2)
        where = self.evaluate("location.href + ' | ' + (document.body ? document.body.innerText.slice(0, 300) : '')")
        raise RuntimeError(f"timed out waiting for {expression} (at {where})")

    def screenshot(self, path):
        data = self.call("Page.captureScreenshot", format="png")["data"]
        with open(path, "wb") as out:
            out.write(base64.b64decode(data))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    chromium, url, user, password_file, clip, out_list, out_playing = sys.argv[1:8]
    with open(password_file) as f:
        password = f.readline().strip()
    profile = tempfile.mkdtemp(prefix="viewer-chromium.")
    port = free_port()
    args = [chromium, "--headless=new", f"--remote-debugging-port={port}", "--remote-debugging-address=127.0.0.1",
            f"--user-data-dir={profile}", "--ignore-certificate-errors", "--no-first-run", "--no-default-browser-check",
            "--disable-gpu", "--hide-scrollbars", "--mute-audio", "--autoplay-policy=no-user-gesture-required",
            "--window-size=1000,720", "about:blank"]
    if os.geteuid() == 0:
        args.insert(1, "--no-sandbox")
    browser = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        targets = None
        for _ in range(150):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=2) as r:
                    targets = [t for t in json.load(r) if t.get("type") == "page"]
                if targets:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        if not targets:
            raise RuntimeError("Chromium did not open its DevTools port")
        page = DevTools(targets[0]["webSocketDebuggerUrl"])
        page.call("Page.enable")
        page.call("Runtime.enable")
        page.call("Emulation.setDeviceMetricsOverride", width=1000, height=720, deviceScaleFactor=1, mobile=False)

        # Sign in through the login form, as a person would.
        page.call("Page.navigate", url=url + "login")
        page.wait_for("document.readyState === 'complete' && !!document.querySelector('#username')")
        page.evaluate(
            f"document.querySelector('#username').value = {json.dumps(user)};"
            f"document.querySelector('#password').value = {json.dumps(password)};"
            "document.querySelector('section.login form').submit(); true")
        page.wait_for("location.pathname === '/' && document.readyState === 'complete' && !!document.querySelector('table')")
        time.sleep(1)  # let the video elements settle
        page.screenshot(out_list)

        # Play a clip and wait until it has played a while.
        page.call("Page.navigate", url=url + "clips/" + clip)
        page.wait_for("document.readyState === 'complete' && !!document.querySelector('video.player')")
        page.evaluate("document.querySelector('video.player').play().then(() => true, e => String(e))")
        page.wait_for("(() => { const v = document.querySelector('video.player');"
                      " return v.readyState >= 2 && v.currentTime > 1.2 && !v.error; })()", seconds=30)
        page.evaluate("(() => { const v = document.querySelector('video.player'); v.pause(); return v.currentTime; })()")
        time.sleep(0.3)
        page.screenshot(out_playing)
        state = page.evaluate("(() => { const v = document.querySelector('video.player');"
                              " return {time: v.currentTime, duration: v.duration, width: v.videoWidth, error: v.error && v.error.code}; })()")
        print(f"video: {state}")
    finally:
        browser.terminate()
        try:
            browser.wait(timeout=10)
        except subprocess.TimeoutExpired:
            browser.kill()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main()
