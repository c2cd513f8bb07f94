"""``relief serve``: the live preview, started as its own process and watched through a real browser."""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import NUMBERS, ROOT, SLOW_MARKDOWN, free_port, stretch_md, write

STRETCH = "content/neck-relief/sitting/02-chin-tuck.md"
STARTUP_SECONDS = 30  # a bound against hanging, not a measurement


@dataclass
class LivePreview:
    url: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path  # what it printed, stdout and stderr
    temp: Path  # its TMPDIR

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8")


@pytest.fixture
def serve(serve_with: Callable[..., LivePreview]) -> Callable[[Path], LivePreview]:
    return serve_with


@pytest.fixture
def serve_with(tmp_path: Path) -> Iterator[Callable[..., LivePreview]]:
    """Start ``build.py --project DIR serve [ARGS]`` on a free port; waits until it answers, stops it afterwards."""
    started: list[LivePreview] = []

    def start(project: Path, *args: str) -> LivePreview:
        port = free_port()
        temp = tmp_path / f"tmp-{port}"
        temp.mkdir()
        log = tmp_path / f"serve-{port}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, str(ROOT / "build.py"), "--project", str(project), "serve", "--port", str(port),
                 *args],
                stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "TMPDIR": str(temp)})
        served = LivePreview(f"http://127.0.0.1:{port}/", port, process, log, temp)
        started.append(served)
        _wait_until_answering(served)
        return served

    yield start
    for served in started:
        if served.process.poll() is None:
            served.process.terminate()
            try:
                served.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                served.process.kill()
                served.process.wait()


def _wait_until_answering(served: LivePreview) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if served.process.poll() is not None:
            pytest.fail(f"serve exited with {served.process.returncode}:\n{served.output()}")
        try:
            if "Serving" in served.output() and get(served, "/")[0] in (200, 302):
                return
        except OSError:
            pass
        time.sleep(0.05)
    pytest.fail(f"serve did not answer within {STARTUP_SECONDS} s:\n{served.output()}")


def get(served: LivePreview, raw_path: str, host: str | None = None) -> tuple[int, str]:
    """GET ``raw_path`` exactly as written (no normalising of '..' or '%2e'), with ``host`` as its Host."""
    status, _, body = request(served, raw_path, host)
    return status, body


def request(served: LivePreview, raw_path: str, host: str | None = None) -> tuple[int, dict[str, str], str]:
    connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=10)
    try:
        connection.putrequest("GET", raw_path, skip_host=True)
        connection.putheader("Host", f"127.0.0.1:{served.port}" if host is None else host)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def reload_message(served: LivePreview, save: Callable[[], None], origin: str | None = None,
                   timeout: float = 10) -> dict[str, object] | None:
    """Connect to the preview's live-reload socket as livereload.js does, ``save``, and return the
    first message after the handshake (None if the socket sent nothing within ``timeout``)."""
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    async def listen() -> dict[str, object] | None:
        request = HTTPRequest(f"ws://127.0.0.1:{served.port}/livereload",
                              headers={"Origin": origin or served.url.rstrip("/")})
        socket_ = await websocket_connect(request)
        try:
            await socket_.write_message(json.dumps({"command": "hello", "protocols": [
                "http://livereload.com/protocols/official-7"]}))
            hello = json.loads(await socket_.read_message())
            assert hello["command"] == "hello"
            await socket_.write_message(json.dumps({"command": "info", "url": served.url}))
            await asyncio.sleep(0.3)  # the server has taken the page on as a listener
            save()
            try:
                message = await asyncio.wait_for(socket_.read_message(), timeout)
            except TimeoutError:
                return None
            return json.loads(message) if message else None
        finally:
            socket_.close()

    # a thread of its own: Playwright's sync API may already run an event loop in this one
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, listen()).result()


def test_the_reload_socket_tells_a_connected_page_of_a_save(tiny: Path, serve) -> None:
    served = serve(tiny)

    message = reload_message(served, lambda: replace_text(tiny / STRETCH, "title: Chin tuck", "title: Chin lift"))

    assert message is not None and message["command"] == "reload" and message["path"] == "*"
    assert "Chin lift" in get(served, "/")[1]


def test_a_save_by_rename_with_the_same_size_and_time_is_reloaded(tiny: Path, serve) -> None:
    served = serve(tiny)
    original = tiny / STRETCH

    def save_by_rename() -> None:
        before = original.stat()
        scratch = original.with_name(f".{original.name}.tmp")
        scratch.write_text(original.read_text(encoding="utf-8").replace("Chin tuck", "Neck tilt"), encoding="utf-8")
        os.utime(scratch, ns=(before.st_atime_ns, before.st_mtime_ns))
        os.replace(scratch, original)
        assert (original.stat().st_size, original.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)

    assert reload_message(served, save_by_rename) is not None
    assert "Neck tilt" in get(served, "/")[1]


def test_a_save_in_place_with_one_second_times_and_the_same_size_is_seen(tiny: Path, serve) -> None:
    """On a file system that keeps whole seconds, two saves in one second leave the same time."""
    served = serve(tiny)
    original = tiny / STRETCH
    seconds: list[int] = []  # the whole second of the first save, kept by the second

    def save(old: str, new: str) -> Callable[[], None]:
        def in_place() -> None:
            if not seconds:
                seconds.append(time.time_ns() // 10**9 * 10**9)
            second = seconds[0]
            inode = original.stat().st_ino
            with original.open("r+b") as file:  # the same inode, the same size
                text = file.read().replace(old.encode(), new.encode())
                file.seek(0)
                file.write(text)
            os.utime(original, ns=(second, second))
            assert original.stat().st_ino == inode
        return in_place

    assert reload_message(served, save("Chin tuck", "Chin tick")) is not None
    assert reload_message(served, save("Chin tick", "Chin tock")) is not None  # same size, same time, same inode
    assert "Chin tock" in get(served, "/")[1]


def replace_text(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_each_save_reaches_the_browser_even_one_second_after_the_last(tiny: Path, serve, page) -> None:
    from playwright.sync_api import expect

    served = serve(tiny)
    page.goto(served.url)
    summary = page.locator("#chin-tuck summary")
    expect(summary).to_contain_text("Chin tuck")

    replace_text(tiny / STRETCH, "title: Chin tuck", "title: Chin tuck, first edit")
    first = time.monotonic()
    expect(summary).to_contain_text("Chin tuck, first edit", timeout=10_000)
    time.sleep(max(0.0, 1 - (time.monotonic() - first)))  # livereload alone drops a save within 3 s of a reload
    replace_text(tiny / STRETCH, "first edit", "second edit")

    expect(summary).to_contain_text("Chin tuck, second edit", timeout=10_000)


def test_a_save_by_rename_is_seen_even_with_the_same_size_and_time(tiny: Path, serve, page) -> None:
    from playwright.sync_api import expect

    served = serve(tiny)
    page.goto(served.url)
    original = tiny / STRETCH
    before = original.stat()
    scratch = original.with_name(f".{original.name}.tmp")
    scratch.write_text(original.read_text(encoding="utf-8").replace("Chin tuck", "Neck tilt"), encoding="utf-8")
    os.utime(scratch, ns=(before.st_atime_ns, before.st_mtime_ns))
    os.replace(scratch, original)

    assert original.stat().st_size == before.st_size and original.stat().st_mtime_ns == before.st_mtime_ns
    expect(page.locator("#chin-tuck summary")).to_contain_text("Neck tilt", timeout=10_000)


def test_a_page_whose_reload_socket_connects_after_a_rebuild_still_shows_it(tiny: Path, serve, page) -> None:
    from playwright.sync_api import expect

    served = serve(tiny)
    held = []
    page.route("**/livereload.js*", lambda route: held.append(route))  # the page cannot hear of rebuilds yet
    page.goto(served.url, wait_until="domcontentloaded")
    while not held:
        page.wait_for_timeout(20)
    replace_text(tiny / STRETCH, "title: Chin tuck", "title: Built while the page was loading")
    while "Rebuilt" not in served.output():
        page.wait_for_timeout(20)
    expect(page.locator("#chin-tuck summary")).to_contain_text("Chin tuck")

    held[0].continue_()

    expect(page.locator("#chin-tuck summary")).to_contain_text("Built while the page was loading", timeout=10_000)


def test_yaml_and_template_errors_show_over_the_last_good_page_until_fixed(tiny: Path, serve, page, cli) -> None:
    from playwright.sync_api import expect

    served = serve(tiny)
    page.goto(served.url)
    overlay = page.locator("#relief-build-errors")
    expect(overlay).to_have_count(0)

    replace_text(tiny / STRETCH, "hold: 5", "hold: [5")
    expected = cli(tiny, "build").err.splitlines()[0]  # what a plain build says, file:line:col first

    assert expected.startswith(f"{STRETCH}:")
    expect(overlay).to_contain_text(expected, timeout=10_000)
    expect(page.locator("#chin-tuck summary")).to_contain_text("Chin tuck")
    assert expected in served.output()
    assert served.process.poll() is None

    replace_text(tiny / STRETCH, "hold: [5", "hold: 5\ncaution: Keep the chin level")

    expect(overlay).to_have_count(0, timeout=10_000)
    expect(page.locator("#chin-tuck")).to_contain_text("Keep the chin level")

    template = tiny / "templates/_stretch.html"
    good = template.read_text(encoding="utf-8")
    template.write_text(good + "{% endif %}\n", encoding="utf-8")
    expected = cli(tiny, "build").err.splitlines()[0]
    assert expected.startswith("templates/_stretch.html:")
    expect(overlay).to_contain_text(expected, timeout=10_000)
    template.write_text(good, encoding="utf-8")
    expect(overlay).to_have_count(0, timeout=10_000)


def test_a_draft_shows_with_its_marker_in_preview_and_not_in_a_plain_build(tiny: Path, serve, page, cli) -> None:
    from playwright.sync_api import expect

    write(tiny / "content/neck-relief/sitting/04-wall-angel.md", stretch_md("Wall angel", 40, draft="true"))
    served = serve(tiny)

    page.goto(served.url)

    expect(page.locator("#wall-angel summary")).to_contain_text("Wall angel")
    expect(page.locator("#wall-angel .draft-mark")).to_have_text("Draft")
    assert cli(tiny, "build").code == 0
    assert "Wall angel" not in (tiny / "dist/index.html").read_text(encoding="utf-8")


def test_a_burst_of_thirty_files_gives_one_rebuild(tiny: Path, serve, page) -> None:
    from playwright.sync_api import expect

    served = serve(tiny)
    page.goto(served.url)
    for n in range(1, 31):  # like a git checkout
        write(tiny / f"content/neck-relief/sitting/{10 + n}-burst-{n}.md", stretch_md(f"Burst {n}", 10))
    expect(page.locator("#burst-30 summary")).to_contain_text("Burst 30", timeout=10_000)

    replace_text(tiny / STRETCH, "title: Chin tuck", "title: After the burst")  # one more, to see what came between
    expect(page.locator("#chin-tuck summary")).to_contain_text("After the burst", timeout=10_000)

    rebuilds = [line for line in served.output().splitlines() if line.startswith("Rebuilt")]
    assert len(rebuilds) == 2, served.output()
    assert "changes to 30 files" in rebuilds[0]


@pytest.mark.parametrize("raw_path", [
    "/../../../../etc/passwd",
    "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/%2E%2E%2F%2E%2E%2F%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
    "/assets/..%2f..%2f..%2f..%2f..%2fetc/passwd",
    "//etc/passwd",
    "/..%5c..%5cetc%5cpasswd",
    "/../.site.relief-lock",  # beside the bundle, in serve's own temporary folder
    "/%00",
    "/no-such-page/",
])
def test_nothing_outside_the_bundle_is_served_only_the_404_page(tiny: Path, serve, raw_path: str) -> None:
    served = serve(tiny)

    status, body = get(served, raw_path)

    assert status == 404
    assert "Page not found" in body and "root:" not in body


def test_ctrl_c_stops_the_server_and_removes_its_temporary_files(tiny: Path, serve) -> None:
    served = serve(tiny)
    assert [p.name[:13] for p in served.temp.iterdir()] == ["relief-serve-"]

    served.process.send_signal(signal.SIGINT)

    assert served.process.wait(timeout=15) == 0
    assert list(served.temp.iterdir()) == []
    assert "Stopped" in served.output()
    assert not (tiny / "dist").exists()


def test_a_port_in_use_is_a_clear_message_not_a_traceback(tiny: Path, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, str(ROOT / "build.py"), "--project", str(tiny), "serve", "--port", str(port)],
            capture_output=True, text=True, timeout=STARTUP_SECONDS, env={**os.environ, "TMPDIR": str(tmp_path)})

    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1 port {port}" in result.stderr and "--port" in result.stderr
    assert "Traceback" not in result.stderr
    assert [p for p in tmp_path.iterdir() if p.name.startswith("relief-serve-")] == []


# ---- the preview answers no other site (issue 12) ----

@pytest.mark.parametrize("host", ["evil.example:{port}", "evil.example", "127.0.0.1.evil.example:{port}",
                                  "127.0.0.1:1", "", "localhost.:{port}"])
def test_a_request_for_another_host_gets_400_and_no_page(tiny: Path, serve, host: str) -> None:
    served = serve(tiny)
    status, body = get(served, "/", host=host.format(port=served.port))
    assert status == 400 and "Neck" not in body and "Chin tuck" not in body


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "LOCALHOST:{port}"])
def test_the_preview_answers_its_own_names(tiny: Path, serve, host: str) -> None:
    served = serve(tiny)
    status, body = get(served, "/", host=host.format(port=served.port))
    assert status == 200 and "Chin tuck" in body


def test_the_reload_socket_refuses_another_origin(tiny: Path, serve) -> None:
    from tornado.httpclient import HTTPClientError

    served = serve(tiny)
    with pytest.raises(HTTPClientError) as refused:
        reload_message(served, lambda: None, origin="http://evil.example", timeout=1)
    assert refused.value.code == 403


def test_junk_on_the_reload_socket_prints_nothing_and_breaks_nothing(tiny: Path, serve) -> None:
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    served = serve(tiny)
    before = served.output()

    async def junk() -> None:
        socket_ = await websocket_connect(HTTPRequest(f"ws://127.0.0.1:{served.port}/livereload",
                                                      headers={"Origin": served.url.rstrip("/")}))
        for message in ["garbage", "{", "[1, 2]", '{"command": 5}', '{"command": "info"}', "null", b"\xff\x00"]:
            await socket_.write_message(message, binary=isinstance(message, bytes))
        await asyncio.sleep(0.5)
        socket_.close()

    with ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, junk()).result()
    assert served.output() == before
    message = reload_message(served, lambda: replace_text(tiny / STRETCH, "title: Chin tuck", "title: Chin up"))
    assert message is not None and message["command"] == "reload"


def test_forcereload_is_not_offered_to_any_page(tiny: Path, serve) -> None:
    served = serve(tiny)
    assert get(served, "/forcereload?path=x")[0] == 404


@pytest.mark.parametrize("raw_path", ["/%5Cevil.example%2F..%2Fneck-relief", "/%5C%5Cevil.example/..%2Fneck-relief",
                                      "//evil.example/%2E%2E/neck-relief", "/neck-relief"])
def test_a_redirect_never_leads_to_another_host(tiny: Path, serve, raw_path: str) -> None:
    served = serve(tiny)
    status, headers, _ = request(served, raw_path)
    assert status == 301
    assert headers["Location"] == "/neck-relief/"


def test_an_over_long_path_gets_404_not_500(tiny: Path, serve) -> None:
    served = serve(tiny)
    assert get(served, "/" + "a" * 5000)[0] == 404
    assert get(served, "/" + "/".join(["b" * 250] * 12))[0] == 404


def test_the_preview_is_served_under_the_path_of_base_url(tiny: Path, serve) -> None:
    write(tiny / "content/site.yaml", f"title: Tiny Site\nbase_url: https://example.org/relief/\n{NUMBERS}")
    served = serve(tiny)
    status, headers, _ = request(served, "/")
    assert status == 302 and headers["Location"] == "/relief/"
    assert "Chin tuck" in get(served, "/relief/")[1]
    assert get(served, "/neck-relief/")[0] == 404  # outside the published path, as on the host
    assert f'href="http://127.0.0.1:{served.port}/relief/"' in get(served, "/relief/")[1]  # canonical


def test_serve_base_url_overrides_the_path(tiny: Path, serve_with) -> None:
    served = serve_with(tiny, "--base-url", "http://127.0.0.1:8000/elsewhere/")
    assert "Chin tuck" in get(served, "/elsewhere/")[1]
    assert request(served, "/")[1]["Location"] == "/elsewhere/"


def test_while_a_long_rebuild_runs_the_last_good_bundle_is_served(tiny: Path, serve) -> None:
    served = serve(tiny)
    write(tiny / STRETCH, stretch_md("Chin tuck", 30, body=SLOW_MARKDOWN))  # over the Markdown time budget: 2 s
    saved = time.monotonic()
    answered_during_the_build = False
    while "Build failed" not in served.output() and time.monotonic() < saved + 30:
        started = time.monotonic()
        status, body = get(served, "/")
        assert status == 200 and "Chin tuck" in body
        # one poll (0.1 s) after the save the build is under way; an answer that comes before it
        # ends was given while it ran (a server that waited for it would answer only afterwards)
        if started > saved + 1 and "Build failed" not in served.output():
            answered_during_the_build = True
        time.sleep(0.05)
    assert answered_during_the_build
    assert "took more than 2 s to convert" in served.output()


def test_a_fifo_saved_into_content_is_an_error_and_the_preview_answers(tiny: Path, serve) -> None:
    served = serve(tiny)
    os.mkfifo(tiny / "content/neck-relief/sitting/05-pipe.md")
    deadline = time.monotonic() + 10
    while "is a FIFO" not in served.output() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "05-pipe.md:1:1: error: is a FIFO (named pipe), not a file" in served.output()
    assert "is a FIFO" in get(served, "/")[1]  # shown over the last good page


def test_a_page_that_points_its_own_name_at_the_preview_reads_nothing(tiny: Path, serve, playwright) -> None:
    """DNS rebinding: evil.example resolves to 127.0.0.1, so the browser sends the preview its requests."""
    from conftest import launch

    served = serve(tiny)
    rebinding = launch(playwright, "--host-resolver-rules=MAP evil.example 127.0.0.1")
    try:
        tab = rebinding.new_page()
        response = tab.goto(f"http://evil.example:{served.port}/")
        assert response is not None and response.status == 400
        assert "Chin tuck" not in tab.content()
        assert tab.evaluate("fetch('/neck-relief/').then(r => r.status)") == 400
        good = tab.goto(served.url)  # the same browser, the preview's own address: the page
        assert good is not None and good.status == 200 and "Chin tuck" in tab.content()
    finally:
        rebinding.close()
