"""One query worker: a forked process that runs queries for :class:`~.pool.WorkerPool`.

A worker is forked from the process holding the loaded store (sharing it copy-on-write), closes
every descriptor it inherited but its socket, moves into an empty network namespace, sets its
address-space limit (``RLIMIT_AS``) and then answers requests until its socket closes, a
CPU-time limit (``RLIMIT_CPU``) set for each query as a backstop.  The parent side
(:class:`Worker`) reads its CPU time, its own memory (private pages: what it allocated and the
store pages it copied on write) and its stderr, and kills it.  Scheduling, lanes and deadlines
are :mod:`.pool`'s.

**Wire format.**  A cheap query's engine work is tens of microseconds, so the round trip is
kept lean: one frame each way on a Unix socket pair, a length and then the body, written with
one system call and read (as a rule) with one.  A request is a pickled tuple of plain values;
a reply is a fixed header — what kind of reply, the worker's CPU seconds, minor page faults
and address space size when it sent it (so the parent needs no read of ``/proc`` to account a
query's CPU time or to check the worker's memory after it answers) — and then an answer's
serialised bytes as they are (no pickling of the result), or a pickled error tuple.
"""

from __future__ import annotations

import contextlib
import ctypes
import faulthandler
import os
import pickle
import resource
import select
import signal
import socket
import struct
import threading
import time
from typing import cast

from ..errors import QuerySyntaxError, TalkgraphError
from .oxigraph import Executor, Request
from .results import QueryKind, QueryResult

_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000
_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
_RECHECK = 5.0  # seconds between exact measures of a running worker's own memory

# The frames (see the module documentation), all little-endian: a length (of what follows) ...
_LENGTH = struct.Struct("<Q")
# ... and a reply's header: its tag, then the worker's CPU seconds, minor page faults and
# address space size (bytes; 0 where unknown) when it sent the reply ...
_REPLY = struct.Struct("<BdQQ")
# ... and, for an answer, its kind, format and count (rows, triples) before its bytes.
_ANSWER = struct.Struct("<BBQ")
_OK, _FAILED = 0, 1
_KINDS: tuple[QueryKind, ...] = ("select", "ask", "graph")
_FORMATS = ("json", "xml", "csv", "tsv", "turtle", "nt", "jsonld")
_CHUNK = 1 << 16  # bytes asked for by the first read of a frame
_NO_SIGNAL = getattr(socket, "MSG_NOSIGNAL", 0)
#: A reply from the worker: ``("ok", QueryResult)``, ``("syntax", message, line, column,
#: excerpt)`` or ``("error", class name, message)``.
Reply = tuple[object, ...]


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


class _Frames:
    """Reads the frames of one socket: as a rule one ``recv`` a frame (a frame that came in
    pieces is read on; bytes read past a frame are kept for the next)."""

    __slots__ = ("_rest", "_sock")

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._rest = b""

    @property
    def buffered(self) -> bool:
        return bool(self._rest)

    def _more(self, size: int) -> bytes:
        chunk = self._sock.recv(size)
        if not chunk:
            raise EOFError("the other end closed its socket")
        return chunk

    def read(self) -> bytes | bytearray:
        """The body of the next frame (blocks until it is whole); :class:`EOFError` at the
        end of the stream."""
        data, self._rest = self._rest or self._more(_CHUNK), b""
        while len(data) < _LENGTH.size:
            data += self._more(_CHUNK)
        end = _LENGTH.size + _LENGTH.unpack_from(data)[0]
        if len(data) >= end:
            self._rest = data[end:]
            return data[_LENGTH.size : end]
        body = bytearray(end - _LENGTH.size)
        view = memoryview(body)
        got = len(data) - _LENGTH.size
        view[:got] = memoryview(data)[_LENGTH.size :]
        while got < len(body):
            read = self._sock.recv_into(view[got:])
            if not read:
                raise EOFError("the other end closed its socket")
            got += read
        return body


def _send(sock: socket.socket, head: bytes, body: bytes = b"") -> None:
    """Write one frame (its length first, which ``head`` must not include); a closed other
    end is an :class:`OSError` (``EPIPE``), never a ``SIGPIPE``."""
    length = _LENGTH.pack(len(head) + len(body))
    if len(body) <= _CHUNK:  # one system call
        sock.sendall(length + head + body, _NO_SIGNAL)
    else:  # no copy of a large answer
        sock.sendall(length + head, _NO_SIGNAL)
        sock.sendall(body, _NO_SIGNAL)


def _open_statm() -> int:
    """A descriptor of ``/proc/self/statm`` (read again with ``pread``), -1 if none."""
    try:
        return os.open("/proc/self/statm", os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return -1


def _size(statm: int) -> int:
    """This process's address space size in bytes (0 where unknown)."""
    if statm < 0:
        return 0
    try:
        return int(os.pread(statm, 128, 0).split(None, 1)[0]) * _PAGE
    except (OSError, ValueError, IndexError):
        return 0


def _reply(sock: socket.socket, reply: Reply, statm: int) -> None:
    """Send ``reply``, with this process's CPU seconds (to the microsecond: ``/proc`` counts
    ticks), minor page faults and address space size now."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime
    result = reply[1] if reply[0] == "ok" else None
    if isinstance(result, QueryResult) and result.kind in _KINDS and result.format in _FORMATS:
        answer = _ANSWER.pack(
            _KINDS.index(result.kind), _FORMATS.index(result.format), result.count
        )
        head = _REPLY.pack(_OK, cpu, usage.ru_minflt, _size(statm)) + answer
        _send(sock, head, result.data)
        return
    head = _REPLY.pack(_FAILED, cpu, usage.ru_minflt, _size(statm))
    _send(sock, head, pickle.dumps(reply, pickle.HIGHEST_PROTOCOL))


def _worker_main(
    executor: Executor, sock: socket.socket, parent_end: socket.socket, mb: int
) -> None:
    """The worker loop: answer requests until the socket closes or an empty frame comes."""
    parent_end.close()
    _isolate(sock.fileno())
    isolated = _no_network() or network_isolation_allowed_off()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    faulthandler.disable()  # running out of memory aborts the worker: expected, not a crash
    if mb > 0:
        limit = _address_space() + mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    hard_cpu = resource.getrlimit(resource.RLIMIT_CPU)[1]
    statm = _open_statm()
    frames = _Frames(sock)
    while True:
        try:
            body = frames.read()
        except (EOFError, OSError):
            return
        if not body:
            return
        sparql, default, named, max_rows, max_bytes, fmt, timeout = pickle.loads(body)
        request = Request(sparql, default, named, max_rows, max_bytes, fmt)
        reply: Reply
        if not isolated:
            reply = ("error", "QueryRefused", NO_NETNS)
        else:
            # a backstop should the parent be gone: the kernel stops a query using more CPU
            # time than its limit (the parent's wall-clock deadline normally comes first)
            soft_cpu = int(_cpu_seconds() + timeout) + 2
            if hard_cpu != resource.RLIM_INFINITY:
                soft_cpu = min(soft_cpu, hard_cpu)
            resource.setrlimit(resource.RLIMIT_CPU, (soft_cpu, hard_cpu))
            try:
                reply = ("ok", executor.execute(request))
            except QuerySyntaxError as error:
                assert error.place is not None
                reply = (
                    "syntax",
                    error.message,
                    error.place.line,
                    error.place.column,
                    error.excerpt,
                )
            except TalkgraphError as error:
                reply = ("error", type(error).__name__, error.message)
            except MemoryError:
                reply = ("error", "QueryAborted", "the query ran out of the worker's memory limit")
            except Exception as error:  # noqa: BLE001 - reported to the parent, which logs it
                reply = ("error", "QueryError", f"the query failed: {error}")
        try:
            _reply(sock, reply, statm)
        except (OSError, ValueError):
            return


class Worker:
    """One forked worker process (plain ``os.fork``: we reap it ourselves)."""

    def __init__(self, executor: Executor, memory_mb: int) -> None:
        self.sock, child_end = socket.socketpair()
        self.exitcode: int | None = None
        #: The CPU seconds the process had used when it sent its last reply (it reports them),
        #: so a query's cost needs no read of ``/proc`` when it answers in time.
        self.cpu_mark: float | None = None
        #: Its minor page faults and address space size when it sent its last reply, until
        #: the memory check after that reply has used them (then ``/proc`` is read again).
        self.reported: tuple[int, int] | None = None
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
                _worker_main(executor, child_end, self.sock, memory_mb)
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
        self._frames = _Frames(self.sock)
        self._poll = select.poll()
        self._poll.register(self.sock.fileno(), select.POLLIN)
        os.close(err_write)
        os.set_blocking(err_read, False)
        self._stderr = err_read
        self._closing = threading.Lock()

    def send(self, request: Request, timeout: float) -> None:
        """Send ``request`` to run within ``timeout`` seconds (of CPU time, the backstop)."""
        body = pickle.dumps(
            (
                request.sparql,
                request.default_graph_uris,
                request.named_graph_uris,
                request.max_rows,
                request.max_bytes,
                request.result_format,
                timeout,
            ),
            pickle.HIGHEST_PROTOCOL,
        )
        _send(self.sock, b"", body)

    def ready(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for a reply (or the worker's end) to read."""
        if self._frames.buffered:
            return True
        return bool(self._poll.poll(max(timeout, 0.0) * 1000))

    def receive(self) -> Reply:
        """The worker's reply (blocks until it is whole); :class:`EOFError` if it ended."""
        body = self._frames.read()
        tag, self.cpu_mark, faults, size = _REPLY.unpack_from(body)
        self.reported = (faults, size) if size else None
        if tag != _OK:
            return cast(Reply, pickle.loads(memoryview(body)[_REPLY.size :]))
        kind, fmt, count = _ANSWER.unpack_from(body, _REPLY.size)
        data = bytes(memoryview(body)[_REPLY.size + _ANSWER.size :])
        return ("ok", QueryResult(_KINDS[kind], _FORMATS[fmt], data, count))

    def stop(self) -> None:
        """Ask the worker to end once it has answered (an empty frame)."""
        _send(self.sock, b"")

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
        the worker is running a query) every :data:`_RECHECK` seconds.  The faults and size
        are those the worker sent with its last reply when not ``running`` (the check after
        an answer: as it answered, no read of ``/proc``), else ``/proc/PID/stat``'s."""
        marks, self.reported = (None if running else self.reported), None
        if marks is None:  # none reported with its last reply: from ``/proc``
            fields = self._stat()
            if fields is None:
                return False
            marks = (int(fields[7]), int(fields[20]))
        faults, size = marks
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
            self.sock.close()
            fd, self._stderr = self._stderr, -1
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
