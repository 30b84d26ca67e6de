"""One query worker: a forked process that runs queries for :class:`~.pool.WorkerPool`.

A worker is forked from the process holding the loaded store (sharing it copy-on-write), closes
every descriptor it inherited but its pipe, moves into an empty network namespace, sets its
address-space limit (``RLIMIT_AS``) and then answers ``(request, timeout)`` messages with
``(reply, cpu_seconds)`` until its pipe closes, a CPU-time limit (``RLIMIT_CPU``) set for each
query as a backstop.  The parent side (:class:`Worker`) reads its CPU time, its own memory
(private pages: what it allocated and the store pages it copied on write) and its stderr, and
kills it.  Scheduling, lanes and deadlines are :mod:`.pool`'s.
"""

from __future__ import annotations

import contextlib
import ctypes
import faulthandler
import os
import resource
import signal
import threading
import time
from multiprocessing.connection import Connection, Pipe

from ..errors import QuerySyntaxError, TalkgraphError
from .oxigraph import Executor

_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000
_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
_RECHECK = 5.0  # seconds between exact measures of a running worker's own memory


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


def own_memory(pid: int) -> int | None:
    """Bytes of memory process ``pid`` has to itself (its private pages: what it allocated and
    the pages shared with its parent that it has written to, and so copied), ``None`` where
    unknown.  Exact but not free: the kernel walks the process's page tables (about 30 ms for
    a worker sharing a 6.7M-triple store)."""
    total = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as rollup:
            for line in rollup:
                if line.startswith(("Private_Clean:", "Private_Dirty:")):
                    total += int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return total


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
NO_NETNS = (
    "query workers cannot be cut off from the network here (no network namespace could be "
    "made), so a query that got past the SERVICE check could reach other servers; allow it "
    f"explicitly with --allow-no-network-namespace (or {ALLOW_NO_NETNS}=1)"
)


def network_isolation_allowed_off() -> bool:
    """Whether running workers without network isolation was explicitly allowed."""
    return os.environ.get(ALLOW_NO_NETNS, "").strip().lower() in ("1", "true", "yes")


def probe_network_isolation() -> bool:
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


def over_limit(memory_mb: int) -> str:
    return (
        "the query was stopped: it went over the memory limit of "
        f"{memory_mb} MiB of its worker process"
    )


def crash_reason(stderr: bytes, exitcode: int | None, memory_mb: int) -> str:
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
        return over_limit(memory_mb)
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
            conn.send((("error", "QueryRefused", NO_NETNS), _cpu_seconds()))
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
        try:  # with the CPU time used so far, to the microsecond (``/proc`` counts ticks)
            conn.send((reply, _cpu_seconds()))
        except (OSError, ValueError):
            return


class Worker:
    """One forked worker process (plain ``os.fork``: we reap it ourselves)."""

    def __init__(self, executor: Executor, memory_mb: int) -> None:
        self.conn, child_end = Pipe()
        self.exitcode: int | None = None
        #: The CPU seconds the process had used when it sent its last reply (it reports them),
        #: so a query's cost needs no read of ``/proc`` when it answers in time.
        self.cpu_mark: float | None = None
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
        # its own memory at the last exact measure, and its page faults and address space
        # size then (a child starts with no faults and its parent's address space)
        self.own = 0
        self._marks = (0, _address_space())
        self._measured = time.monotonic()
        child_end.close()
        os.close(err_write)
        os.set_blocking(err_read, False)
        self._stderr = err_read
        self._closing = threading.Lock()

    def stderr(self) -> bytes:
        """What the worker wrote to its stderr so far (its last 64 KiB)."""
        chunks: list[bytes] = []
        with self._closing, contextlib.suppress(OSError):
            while chunk := os.read(self._stderr, 65536):
                chunks.append(chunk)
                if sum(map(len, chunks)) > 1 << 20:
                    break
        return b"".join(chunks)[-65536:]

    def _stat(self) -> list[str] | None:
        """The fields of ``/proc/PID/stat`` after the command name, ``None`` if unknown."""
        try:
            with open(f"/proc/{self.pid}/stat", encoding="ascii") as stat:
                return stat.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            return None

    def cpu_seconds(self) -> float | None:
        """CPU time the process has used (user + system), ``None`` if unknown."""
        fields = self._stat()
        return None if fields is None else (int(fields[11]) + int(fields[12])) / _TICKS

    def over_memory(self, limit: int, *, running: bool = False) -> bool:
        """Whether the worker has more than ``limit`` bytes of memory of its own (see
        :func:`own_memory`).  Reading pyoxigraph's in-memory store writes into it (a quad's
        node is locked and referenced while read), so every page of the shared store a worker
        reads becomes its own copy: ``RLIMIT_AS`` cannot see that (the pages were in its
        address space from the start), this does.

        Cheap as a rule: the exact measure is taken only when an upper bound of the growth
        since the last one — a page per minor page fault (a copy on write, or a new page)
        plus the growth of the address space — says the limit may be passed, or (``running``:
        the worker is running a query) every :data:`_RECHECK` seconds."""
        fields = self._stat()
        if fields is None:
            return False
        faults, size = int(fields[7]), int(fields[20])
        bound = self.own + (faults - self._marks[0]) * _PAGE + max(0, size - self._marks[1])
        now = time.monotonic()
        if bound <= limit and not (running and now - self._measured >= _RECHECK):
            return False
        own = own_memory(self.pid)
        if own is None:
            return False
        self.own, self._marks, self._measured = own, (faults, size), now
        return own > limit

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
        # Idempotent, and safe when two threads kill one worker (a retire racing the pool's
        # close): a second os.close of a number the kernel has since given to another file
        # (a waitress trigger, a socket) would close that file instead.
        with self._closing:
            self.conn.close()
            fd, self._stderr = self._stderr, -1
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
