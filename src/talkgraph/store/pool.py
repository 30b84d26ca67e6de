"""Bounded query execution: a small pool of forked worker processes.

pyoxigraph's ``Store.query`` has no timeout or memory cap and does not return to Python
while it evaluates, so a runaway query can only be stopped from outside.  The store is loaded
in the parent; workers are forked from it (sharing the loaded store copy-on-write), each with an
address-space limit (``RLIMIT_AS``).  A query is sent to an idle worker over a pipe; the parent
waits with a deadline and, when it passes, kills the worker with SIGKILL and forks a fresh one.
A worker that dies (out of memory) is replaced the same way.  Checkout is thread-safe, so the
web server's threads share the pool; while one query runs long the other workers keep serving.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import faulthandler
import logging
import os
import queue
import resource
import signal
import threading
import time
from multiprocessing.connection import Connection, Pipe

from ..errors import (
    ConfigError,
    NotFound,
    QueryError,
    QueryRefused,
    QueryTimeout,
    ResultTooLarge,
    TalkgraphError,
)
from .base import QueryAborted, QuerySyntaxError, QueryTooLarge
from .oxigraph import Executor, Request
from .results import QueryResult

log = logging.getLogger(__name__)
_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000
_ERRORS: dict[str, type[TalkgraphError]] = {
    cls.__name__: cls
    for cls in (
        QueryError,
        QueryRefused,
        QueryTimeout,
        ResultTooLarge,
        QueryAborted,
        QueryTooLarge,
        NotFound,
    )
}


def _address_space() -> int:
    """This process's current virtual memory size in bytes."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _isolate(keep: int) -> None:
    """Close every inherited descriptor but stdio and ``keep`` (listening sockets, the pipes
    of other workers), so a worker holds nothing of the server's and sees EOF when the
    parent goes away."""
    top = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    top = 65536 if top == resource.RLIM_INFINITY else min(top, 1 << 20)
    os.closerange(3, keep)
    os.closerange(keep + 1, top)


def _no_network() -> bool:
    """Move this (single-threaded, just forked) process into a new network namespace with no
    interfaces, so nothing it runs can connect anywhere (defence in depth behind the SERVICE
    guard: pyoxigraph would answer SERVICE with real HTTP requests).  Best effort: ``False``
    where namespaces are not permitted."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        for flags in (_CLONE_NEWUSER | _CLONE_NEWNET, _CLONE_NEWNET):
            if libc.unshare(flags) == 0:
                return True
    except (OSError, AttributeError):
        pass
    return False


#: Set (to 1) to run query workers even where they cannot be cut off from the network; by
#: default the pool refuses to start there (``serve --allow-no-network-namespace``).
ALLOW_NO_NETNS = "TALKGRAPH_ALLOW_NO_NETNS"
_NO_NETNS = (
    "query workers cannot be cut off from the network here (no network namespace could be "
    "made), so a query that got past the SERVICE check could reach other servers; allow it "
    f"explicitly with --allow-no-network-namespace (or {ALLOW_NO_NETNS}=1)"
)


def network_isolation_allowed_off() -> bool:
    """Whether running workers without network isolation was explicitly allowed."""
    return os.environ.get(ALLOW_NO_NETNS, "").strip().lower() in ("1", "true", "yes")


def _probe_network_isolation() -> bool:
    """Whether a forked child can make an empty network namespace (as workers do)."""
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            code = 0 if _no_network() else 1
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) == 0


def _crash_reason(stderr: bytes, exitcode: int | None, memory_mb: int) -> str:
    """What to tell the client about a worker that ended while running a query."""
    text = stderr.decode("utf-8", "replace")
    # a stack overflow in the engine is a SIGSEGV (Rust's own handler, which would print
    # "overflowed its stack", is not installed in an extension module)
    if "overflowed its stack" in text or exitcode == -signal.SIGSEGV:
        return (
            "the query was stopped: it is nested too deeply for the SPARQL engine "
            "(its worker crashed on a stack overflow); simplify it"
        )
    if "memory allocation" in text or exitcode == -signal.SIGKILL or "MemoryError" in text:
        return (
            "the query was stopped: it went over the memory limit of "
            f"{memory_mb} MiB of its worker process"
        )
    if exitcode == -signal.SIGXCPU:
        return "the query was stopped: it used more CPU time than its time limit"
    return f"the query was stopped: its worker process ended unexpectedly (exit status {exitcode})"


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _worker_main(executor: Executor, conn: Connection, parent_end: Connection, mb: int) -> None:
    """The worker loop: answer ``(request, timeout)`` until the pipe closes or ``None``."""
    parent_end.close()
    _isolate(conn.fileno())
    isolated = _no_network() or network_isolation_allowed_off()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    faulthandler.disable()  # running out of memory aborts the worker: expected, not a crash
    if mb > 0:
        limit = _address_space() + mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    hard_cpu = resource.getrlimit(resource.RLIMIT_CPU)[1]
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        request, timeout = message
        if not isolated:
            conn.send(("error", "QueryRefused", _NO_NETNS))
            continue
        # a backstop should the parent be gone: the kernel stops a query using more CPU time
        # than its limit (the parent's wall-clock deadline normally comes first)
        soft_cpu = int(_cpu_seconds() + timeout) + 2
        if hard_cpu != resource.RLIM_INFINITY:
            soft_cpu = min(soft_cpu, hard_cpu)
        resource.setrlimit(resource.RLIMIT_CPU, (soft_cpu, hard_cpu))
        try:
            reply: tuple[object, ...] = ("ok", executor.execute(request))
        except QuerySyntaxError as error:
            assert error.place is not None
            reply = ("syntax", error.message, error.place.line, error.place.column, error.excerpt)
        except TalkgraphError as error:
            reply = ("error", type(error).__name__, error.message)
        except MemoryError:
            reply = ("error", "QueryAborted", "the query ran out of the worker's memory limit")
        except Exception as error:  # noqa: BLE001 - reported to the parent, which logs it
            reply = ("error", "QueryError", f"the query failed: {error}")
        try:
            conn.send(reply)
        except (OSError, ValueError):
            return


class _Worker:
    """One forked worker process (plain ``os.fork``: we reap it ourselves)."""

    def __init__(self, executor: Executor, memory_mb: int) -> None:
        self.conn, child_end = Pipe()
        self.exitcode: int | None = None
        # the worker's stderr goes to a pipe, not the server's log: an engine crash writes a
        # Rust message (and backtrace) there, which the parent reads to name the cause
        err_read, err_write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child never returns into the caller's stack
            code = 1
            try:
                os.close(err_read)
                os.dup2(err_write, 2)
                os.close(err_write)
                _worker_main(executor, child_end, self.conn, memory_mb)
                code = 0
            finally:
                os._exit(code)
        self.pid = pid
        child_end.close()
        os.close(err_write)
        os.set_blocking(err_read, False)
        self._stderr = err_read

    def stderr(self) -> bytes:
        """What the worker wrote to its stderr so far (its last 64 KiB)."""
        chunks: list[bytes] = []
        with contextlib.suppress(OSError):
            while chunk := os.read(self._stderr, 65536):
                chunks.append(chunk)
                if sum(map(len, chunks)) > 1 << 20:
                    break
        return b"".join(chunks)[-65536:]

    def is_alive(self) -> bool:
        if self.exitcode is not None:
            return False
        try:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
        except ChildProcessError:
            self.exitcode = -1
            return False
        if pid == 0:
            return True
        self.exitcode = os.waitstatus_to_exitcode(status)
        return False

    def join(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for the process to end; ``True`` once it has."""
        deadline = time.monotonic() + timeout
        while self.is_alive():
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.01)
        return True

    def kill(self) -> None:
        if self.is_alive():
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                _, status = os.waitpid(self.pid, 0)
                self.exitcode = os.waitstatus_to_exitcode(status)
        self.conn.close()
        with contextlib.suppress(OSError):
            os.close(self._stderr)


class WorkerPool:
    """``size`` forked workers that run :class:`Request` objects with a deadline."""

    def __init__(self, executor: Executor, *, size: int = 2, memory_mb: int = 2048) -> None:
        if size < 1:
            raise ValueError("a worker pool needs at least one worker")
        if not network_isolation_allowed_off() and not _probe_network_isolation():
            raise ConfigError(_NO_NETNS)
        self._executor = executor
        self._memory_mb = memory_mb
        self._lock = threading.Lock()
        self._closed = False
        self._all: list[_Worker] = []
        self._idle: queue.Queue[_Worker] = queue.Queue()
        for _ in range(size):
            self._idle.put(self._spawn())
        atexit.register(self.close)

    def _spawn(self) -> _Worker:
        worker = _Worker(self._executor, self._memory_mb)
        with self._lock:
            self._all.append(worker)
        return worker

    def _replace(self, worker: _Worker) -> None:
        worker.kill()
        with self._lock:
            if worker in self._all:
                self._all.remove(worker)
            closed = self._closed
        if not closed:
            self._idle.put(self._spawn())

    def pids(self) -> list[int]:
        """The process ids of the current workers."""
        with self._lock:
            return [w.pid for w in self._all]

    def run(self, request: Request, timeout: float) -> QueryResult:
        """Run ``request`` in a worker; at most ``timeout`` seconds of evaluation.

        Waiting for a free worker is bounded by ``timeout`` too (then :class:`QueryTimeout`
        says the server is busy); the evaluation then gets the full ``timeout``.
        """
        if self._closed:
            raise QueryAborted("the query service has been shut down")
        try:
            worker = self._idle.get(timeout=timeout)
        except queue.Empty:
            raise QueryTimeout(
                f"all query workers stayed busy for {timeout:g} s; try again later"
            ) from None
        if not worker.is_alive():
            self._replace(worker)
            worker = self._idle.get(timeout=timeout)
        started = time.monotonic()
        try:
            worker.conn.send((request, timeout))
            ready = worker.conn.poll(timeout)
            reply = worker.conn.recv() if ready else None
        except (EOFError, OSError):
            worker.join(1)
            stderr = worker.stderr()
            self._replace(worker)
            reason = _crash_reason(stderr, worker.exitcode, self._memory_mb)
            first = stderr.decode("utf-8", "replace").strip().split("\n", 1)[0][:200]
            log.warning(
                "query worker %d ended (exit status %s): %s%s",
                worker.pid,
                worker.exitcode,
                reason.removeprefix("the query was stopped: "),
                f" [it said: {first}]" if first else "",  # one line, never a backtrace
            )
            raise QueryAborted(reason) from None
        if reply is None:
            log.warning("query stopped after %.1f s, killing worker %d", timeout, worker.pid)
            self._replace(worker)
            raise QueryTimeout(
                f"the query was stopped after the time limit of {timeout:g} s; "
                "simplify it or add a LIMIT"
            )
        self._idle.put(worker)
        log.debug("query answered in %.3f s", time.monotonic() - started)
        return _unpack(reply)

    def close(self) -> None:
        """Stop every worker (idempotent)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            workers, self._all = self._all, []
        for worker in workers:
            with contextlib.suppress(OSError, ValueError):
                worker.conn.send(None)
        for worker in workers:
            worker.join(1)
            worker.kill()
        atexit.unregister(self.close)


def _unpack(reply: tuple[object, ...]) -> QueryResult:
    tag = reply[0]
    if tag == "ok":
        assert isinstance(reply[1], QueryResult)
        return reply[1]
    if tag == "syntax":
        _, message, line, column, excerpt = reply
        raise QuerySyntaxError(str(message), int(str(line)), int(str(column)), str(excerpt))
    _, name, message = reply
    raise _ERRORS.get(str(name), QueryError)(str(message))
