"""Bounded query execution: a small pool of forked worker processes.

pyoxigraph's ``Store.query`` has no timeout or memory cap and does not return to Python
while it evaluates, so a runaway query can only be stopped from outside.  The store is loaded
in the parent; workers are forked from it (sharing the loaded store copy-on-write), each with an
address-space limit (``RLIMIT_AS``).  A query is sent to an idle worker over a socket; the parent
waits with a deadline and, when it passes, kills the worker with SIGKILL and forks a fresh one.
A worker that dies (out of memory) is replaced the same way.  Checkout is thread-safe, so the
web server's threads share the pool; while one query runs long the other workers keep serving.

Requests are admitted by their estimated cost (what the same query cost before on this dataset
version) into two lanes, so cheap queries never wait behind heavy ones and a request is refused
(503 + ``Retry-After``) only when it could not end within its time limit or a fixed queue bound
is reached: see :class:`WorkerPool`, and docs/limits-and-safety.md.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import heapq
import logging
import math
import os
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from ..errors import (
    ConfigError,
    NotFound,
    QueryAborted,
    QueryBusy,
    QueryError,
    QueryRefused,
    QuerySyntaxError,
    QueryTimeout,
    QueryTooLarge,
    ResultTooLarge,
    TalkgraphError,
)
from ..settings import integer
from .guard import normal_form
from .oxigraph import Executor, Request
from .results import QueryResult
from .worker import (
    NO_NETNS,
    Reply,
    Worker,
    crash_reason,
    network_isolation_allowed_off,
    over_limit,
    probe_network_isolation,
)

log = logging.getLogger(__name__)
_COSTS_KEPT = 4096  # query texts whose cost the pool remembers
_HEAVY_KEPT = 64  # recent heavy runs whose wall time gives the estimate of an unknown one
_WEIGHT = 0.5  # weight of a new run in a query's average cost
_LEAST = 0.001  # the smallest expected run time (seconds)
_WATCH = 0.25  # seconds between looks at a running worker's memory
_ERRORS: dict[str, type[TalkgraphError]] = {
    cls.__name__: cls
    for cls in (
        QueryError,
        QueryRefused,
        QueryTimeout,
        ResultTooLarge,
        QueryAborted,
        QueryBusy,
        QueryTooLarge,
        NotFound,
    )
}


def expected_wait(lanes: int, busy: Sequence[float], ahead: Iterable[float]) -> float:
    """Seconds until one more request gets one of ``lanes`` turns, when the running requests
    end in ``busy`` seconds and the waiters that go first are expected to take ``ahead``
    seconds each, in order (each takes the turn that frees first).  Shared by the worker pool
    and the remote store's :class:`~talkgraph.store.remote.Gate`."""
    free = sorted(busy)[:lanes]
    free += [0.0] * (lanes - len(free))
    heapq.heapify(free)
    for estimate in ahead:
        heapq.heappush(free, heapq.heappop(free) + estimate)
    return free[0]


def busy(why: str, wait: float, timeout: float) -> QueryBusy:
    """The refusal of a request that cannot start in time: HTTP 503 with ``Retry-After`` its
    expected wait (whole seconds, at least 1, at most its time limit)."""
    retry = max(1, min(math.ceil(wait), math.ceil(timeout)))
    return QueryBusy(f"the server is busy: {why}; try again in {retry} s", retry_after=retry)


def admit_turn(
    waiting: int,
    depth: int,
    wait: float,
    estimate: float,
    left: float,
    timeout: float,
    *,
    full: str,
    late: Callable[[], str],
) -> None:
    """The admission rule of the worker pool and of the remote store's gate: refuse (with
    :func:`busy`, why ``full``) when ``depth`` requests already wait in the lane, or (why
    ``late()``) when the request would have to wait ``wait`` seconds and could not then run its
    expected ``estimate`` seconds within the ``left`` seconds of its limit."""
    if waiting >= depth:
        raise busy(full, wait, timeout)
    if wait > 0 and wait + estimate > left:
        raise busy(late(), wait, timeout)


def pool_size(workers: int) -> int:
    """The number of worker processes for a ``workers`` setting: itself when positive, else one
    per CPU and one more (at least 2), so heavy queries can use every core while one worker is
    left for cheap ones."""
    if workers > 0:
        return workers
    return max(2, (os.cpu_count() or 1) + 1)


#: The scheduling priority (nice value) of a worker while it runs a heavy query, so the cheap
#: queries of the fast lane get the CPU first when both want it.
HEAVY_NICE = 10


def _set_nice(worker: Worker, value: int) -> bool:
    """Set ``worker``'s nice value; ``False`` if not permitted (lowering it back needs
    ``CAP_SYS_NICE`` or a high enough ``RLIMIT_NICE``) or the process is gone."""
    try:
        os.setpriority(os.PRIO_PROCESS, worker.pid, value)
    except OSError:
        return False
    return True


@dataclass
class _Cost:
    """What one query text cost on this pool's dataset: CPU and wall seconds of its worker
    (averaged over runs); ``partial`` when only a lower bound is known (the run was stopped)."""

    cpu: float
    wall: float
    partial: bool = False


class _Slot:
    """One request's hold on the pool, from admission to release: its lane, its expected run
    time (wall seconds), when it arrived and started, the worker handed to it, and while it
    waits in a queue the lock its thread waits on (released once: when it is handed a worker
    or the pool closes, so a free worker wakes the one thread it goes to, not every waiter)."""

    __slots__ = ("arrived", "deadline", "estimate", "heavy", "started", "waiter", "worker")

    def __init__(self, heavy: bool, estimate: float) -> None:
        self.heavy = heavy
        self.estimate = max(estimate, _LEAST)
        self.arrived = time.monotonic()
        self.deadline = math.inf
        self.started = 0.0
        self.worker: Worker | None = None
        self.waiter: threading.Lock | None = None

    def wake(self) -> None:
        """Wake the thread waiting for this slot, if any (pool lock held)."""
        waiter, self.waiter = self.waiter, None
        if waiter is not None:
            waiter.release()


class WorkerPool:
    """``size`` forked workers that run :class:`Request` objects with a deadline, in two lanes,
    admitting each request by its estimated cost.

    **Costs.**  The pool remembers what each query cost when it last ran (CPU and wall seconds
    of its worker, averaged), keyed by the query's normal form (its tokens: other whitespace or
    comments do not make another query) and its dataset parameters; a pool serves one dataset
    version, so a reload starts a fresh memory.  A query not seen before is assumed cheap.

    **Lanes.**  A query known to cost ``promote_after`` seconds of CPU or more goes to the
    *heavy lane*, where at most ``size - 1`` queries run at once (all of them when ``size`` is
    1); every other query goes to the *fast lane*.  A fast-lane query that has used
    ``promote_after`` seconds of CPU and still runs is promoted to the heavy lane; when that lane
    is full it is stopped (its worker killed and replaced) and queued for it, to start again
    within what is left of its time limit.  A worker that becomes free goes to the fast lane's
    first waiter, else (if the heavy lane has room) to the heavy waiter expected to be cheapest
    — unless another heavy waiter must start now to end within its time limit (its slack, the
    time to its deadline minus its expected run time, is shorter than the cheapest one's
    expected run time), which goes first so that it is not starved.  So at least one worker is
    always left for cheap queries, which never wait behind heavy ones, and among heavy ones the
    cheaper go first.

    A heavy query's worker runs at a lower scheduling priority (nice :data:`HEAVY_NICE`), so
    when every core is busy the cheap queries get the CPU first; afterwards its priority is
    restored, or, where that is not permitted, the worker is replaced by a fresh fork.

    **Admission.**  On arrival the pool computes when the request would start: the lane's
    running queries finish after their expected remaining time, the waiters that go first
    (the fast lane's in order; the heavy lane's that are expected to be cheaper) take the
    lane's workers in turn.  A request is refused at once with :class:`QueryBusy` (HTTP 503,
    ``Retry-After`` the expected wait in whole seconds) when it would have to wait and that wait
    plus its own expected run time exceeds its time limit — it would not finish in time anyway —
    or when ``queue_depth`` requests already wait in its lane (a fixed bound on the web threads
    waiting requests hold, whatever the estimates say).  A wait that outlasts the query's time
    limit ends the same way.  A burst the machine can finish in time is queued, not refused;
    queries that keep hitting their time limit hold a web thread only while they run.
    """

    def __init__(
        self,
        executor: Executor,
        *,
        size: int = 2,
        memory_mb: int = integer("WORKER_MEMORY_MB"),
        promote_after: float = 0.1,
        queue_depth: int | None = None,
    ) -> None:
        if size < 1:
            raise ValueError("a worker pool needs at least one worker")
        if not network_isolation_allowed_off() and not probe_network_isolation():
            raise ConfigError(NO_NETNS)
        self._executor = executor
        self._memory_mb = memory_mb
        self.size = size
        self.promote_after = promote_after
        self.heavy_cap = max(1, size - 1)
        self.queue_depth = queue_depth if queue_depth is not None else max(8, 4 * size)
        self._queues: dict[bool, list[_Slot]] = {False: [], True: []}
        self._running: set[_Slot] = set()
        self._heavy_running = 0
        self._costs: OrderedDict[bytes, _Cost] = OrderedDict()
        self._keys: OrderedDict[bytes, bytes] = OrderedDict()  # text digest -> cost key
        self._heavy_walls: deque[float] = deque(maxlen=_HEAVY_KEPT)
        self._lock = threading.Lock()
        self._closed = False
        self._all: list[Worker] = []
        self._idle: list[Worker] = []
        for _ in range(size):
            self._idle.append(self._spawn())
        atexit.register(self.close)

    def _spawn(self) -> Worker:
        worker = Worker(self._executor, self._memory_mb)
        with self._lock:
            self._all.append(worker)
        return worker

    def _retire(self, worker: Worker) -> Worker | None:
        """Kill ``worker`` and fork its replacement (``None`` once the pool is closed)."""
        worker.kill()
        with self._lock:
            if worker in self._all:
                self._all.remove(worker)
            if self._closed:
                return None
        return self._spawn()

    def pids(self) -> list[int]:
        """The process ids of the current workers."""
        with self._lock:
            return [w.pid for w in self._all]

    def lanes(self) -> dict[str, int]:
        """How many queries run heavy and how many wait in each lane (for monitoring)."""
        with self._lock:
            return {
                "workers": len(self._all),
                "idle": len(self._idle),
                "heavy_running": self._heavy_running,
                "waiting_fast": len(self._queues[False]),
                "waiting_heavy": len(self._queues[True]),
                "costs_known": len(self._costs),
            }

    # costs ----------------------------------------------------------------------------------
    def _key(self, request: Request) -> bytes:
        """The cost key of ``request``: its normal form and dataset parameters."""
        digest = hashlib.blake2b(request.sparql.encode(), digest_size=16).digest()
        with self._lock:
            key = self._keys.get(digest)
            if key is not None:
                self._keys.move_to_end(digest)
        if key is None:
            key = hashlib.blake2b(
                repr(
                    (
                        normal_form(request.sparql),
                        request.default_graph_uris,
                        request.named_graph_uris,
                    )
                ).encode(),
                digest_size=16,
            ).digest()
            with self._lock:
                self._keys[digest] = key
                while len(self._keys) > _COSTS_KEPT:
                    self._keys.popitem(last=False)
        return key

    def cost(self, request: Request) -> tuple[float, float] | None:
        """What ``request``'s query is expected to cost: ``(cpu, wall)`` seconds, ``None`` when
        it has not run on this pool."""
        key = self._key(request)
        with self._lock:
            cost = self._costs.get(key)
        return None if cost is None else (cost.cpu, cost.wall)

    def _typical_heavy(self) -> float:
        """The expected wall time of a heavy query with no history: the median of the recent
        heavy runs (time limits included), ``promote_after`` before any."""
        with self._lock:
            walls = sorted(self._heavy_walls)
        return walls[len(walls) // 2] if walls else self.promote_after

    def _remember(self, key: bytes, cpu: float, wall: float, outcome: str) -> None:
        """Record a run of ``key``: ``done`` (it answered), ``timeout`` (stopped at its time
        limit) or ``requeue`` (stopped to be queued for the heavy lane); only an answer is a
        measure, the others are lower bounds.  Answered heavy runs and time limits reached are
        what an unknown heavy query is expected to cost (:meth:`_typical_heavy`)."""
        complete = outcome == "done"
        with self._lock:
            old = self._costs.get(key)
            if not complete:
                if old is None or old.partial:
                    old_cpu, old_wall = (old.cpu, old.wall) if old else (0.0, 0.0)
                    self._costs[key] = _Cost(max(cpu, old_cpu), max(wall, old_wall), True)
                else:  # a complete measure stays, raised to the bound
                    old.cpu, old.wall = max(old.cpu, cpu), max(old.wall, wall)
            elif old is None or old.partial:
                self._costs[key] = _Cost(cpu, wall)
            else:
                old.cpu += _WEIGHT * (cpu - old.cpu)
                old.wall += _WEIGHT * (wall - old.wall)
            if outcome == "timeout" or (complete and cpu >= self.promote_after):
                self._heavy_walls.append(wall)
            self._costs.move_to_end(key)
            while len(self._costs) > _COSTS_KEPT:
                self._costs.popitem(last=False)

    # admission ------------------------------------------------------------------------------
    def _remaining(self, slot: _Slot, now: float) -> float:
        """Expected seconds until a running query ends (never quite zero: it still runs)."""
        return max(slot.estimate - (now - slot.started), slot.estimate * 0.1)

    def _expected_wait(self, slot: _Slot, now: float) -> float:
        """Seconds until ``slot`` (not queued yet) would get a worker, from the estimates of the
        lane's running queries and of the waiters that would go first (lock held)."""
        if slot.heavy:
            lanes = self.heavy_cap
            busy = [self._remaining(s, now) for s in self._running if s.heavy]
            ahead = sorted(s.estimate for s in self._queues[True] if s.estimate <= slot.estimate)
        else:
            lanes = self.size - self._heavy_running
            busy = [self._remaining(s, now) for s in self._running if not s.heavy]
            ahead = [s.estimate for s in self._queues[False]]
            if lanes <= 0:  # a pool of one worker, running a heavy query
                lanes = 1
                busy = [min(self._remaining(s, now) for s in self._running)]
        return expected_wait(lanes, busy, ahead)

    def _dispatch(self) -> None:
        """Hand idle workers to waiters: the fast lane's first in order; else, while the heavy
        lane has room, the heavy waiter expected to be cheapest, unless another one's slack
        (time left to its deadline minus its expected run time) is shorter than that (lock
        held)."""
        now = time.monotonic()
        while self._idle:
            fast, heavy = self._queues[False], self._queues[True]
            if fast:
                slot = fast.pop(0)
            elif heavy and self._heavy_running < self.heavy_cap:
                slot = min(heavy, key=lambda s: (s.estimate, s.arrived))
                urgent = min(heavy, key=lambda s: (s.deadline - now - s.estimate, s.arrived))
                if urgent.deadline - now - urgent.estimate < slot.estimate:
                    slot = urgent  # it must start now to end within its time limit
                heavy.remove(slot)
            else:
                break
            slot.worker = self._idle.pop()
            slot.started = now
            self._running.add(slot)
            if slot.heavy:
                self._heavy_running += 1
            slot.wake()

    def _acquire(self, slot: _Slot, deadline: float, timeout: float) -> Worker:
        """An idle worker for ``slot``, waiting (bounded, see the class documentation)."""
        lane = "long-running query" if slot.heavy else "query"
        with self._lock:
            if self._closed:
                raise QueryAborted("the query service has been shut down")
            now = time.monotonic()
            queue = self._queues[slot.heavy]
            if (
                self._idle
                and not self._queues[False]
                and not queue
                and self.queue_depth > 0
                and (not slot.heavy or self._heavy_running < self.heavy_cap)
            ):
                # the common case, in short: a worker is free for its lane and no one waits
                # before it, so it would be admitted (no wait) and handed that worker at once
                slot.arrived = slot.started = now
                slot.deadline = deadline
                slot.worker = self._idle.pop()
                self._running.add(slot)
                if slot.heavy:
                    self._heavy_running += 1
                return slot.worker
            wait = self._expected_wait(slot, now)

            def late() -> str:
                running = sum(1 for s in self._running if s.heavy == slot.heavy)
                return (
                    f"with {running} running and {len(queue)} waiting in its lane this "
                    f"{lane} would start in about {wait:.1f} s and is expected to take "
                    f"{slot.estimate:.1f} s, past its time limit of {timeout:g} s"
                )

            admit_turn(
                len(queue),
                self.queue_depth,
                wait,
                slot.estimate,
                deadline - now,  # what is left of its limit
                timeout,
                full=f"every {lane} worker is taken and the queue is full",
                late=late,
            )
            slot.arrived, slot.deadline = now, deadline
            queue.append(slot)
            self._dispatch()
            if slot.worker is None:
                slot.waiter = threading.Lock()
                slot.waiter.acquire()
            while slot.worker is None:
                left = deadline - time.monotonic()
                if left <= 0 or self._closed:
                    queue.remove(slot)
                    if self._closed:
                        raise QueryAborted("the query service has been shut down")
                    why = f"no {lane} worker became free within the time limit of {timeout:g} s"
                    wait = self._expected_wait(slot, time.monotonic())
                    raise busy(why, wait, timeout)
                waiter = slot.waiter
                self._lock.release()
                try:
                    if waiter is not None:
                        waiter.acquire(timeout=left)
                finally:
                    self._lock.acquire()
            return slot.worker

    def _promote(self, slot: _Slot) -> bool:
        """Move a running fast-lane query to the heavy lane if it has room."""
        estimate = max(self._typical_heavy(), time.monotonic() - slot.started)
        with self._lock:
            if self._heavy_running >= self.heavy_cap:
                return False
            self._heavy_running += 1
            slot.heavy = True
            slot.estimate = estimate
            return True

    def _release(self, slot: _Slot, worker: Worker | None) -> None:
        """End ``slot``'s hold on its lane; ``worker`` (if any) becomes idle again."""
        stray = None
        with self._lock:
            if slot in self._running:
                self._running.discard(slot)
                if slot.heavy:
                    self._heavy_running -= 1
            slot.worker = None
            if worker is not None:
                if self._closed:
                    stray = worker
                else:
                    self._idle.append(worker)
            self._dispatch()
        if stray is not None:
            stray.kill()

    # running --------------------------------------------------------------------------------
    def _over_memory(self, worker: Worker, *, running: bool = False) -> bool:
        """Whether ``worker`` has more memory of its own than its limit (none when 0)."""
        return self._memory_mb > 0 and worker.over_memory(self._memory_mb << 20, running=running)

    def run(self, request: Request, timeout: float) -> QueryResult:
        """Run ``request`` in a worker; at most ``timeout`` seconds of evaluation.

        Waiting for a free worker counts against ``timeout`` too (then :class:`QueryBusy`
        says the server is busy); see the class documentation for the lanes and admission.
        """
        if self._closed:
            raise QueryAborted("the query service has been shut down")
        key = self._key(request)
        started = time.monotonic()
        deadline = started + timeout
        with self._lock:
            known = self._costs.get(key)
        heavy = known is not None and known.cpu >= self.promote_after
        if known is None:
            estimate = self.promote_after
        elif known.partial:  # only a lower bound: at least what heavy queries cost
            estimate = max(known.wall, self._typical_heavy())
        else:
            estimate = known.wall
        while True:
            slot = _Slot(heavy, estimate)
            worker = self._acquire(slot, deadline, timeout)
            if not worker.is_alive():  # died while idle: replace it, the query has not run
                fresh = self._retire(worker)
                if fresh is None:
                    self._release(slot, None)
                    raise QueryAborted("the query service has been shut down")
                worker = fresh
            try:
                outcome, reply, cpu, wall = self._exchange(
                    slot, worker, request, started, deadline, timeout
                )
            except QueryTimeout:  # next time it goes straight to the heavy lane
                self._remember(key, timeout, timeout, "timeout")
                raise
            self._remember(key, cpu, wall, outcome)
            if outcome == "requeue":  # promoted while the heavy lane was full: start again
                heavy = True
                estimate = max(self._typical_heavy(), wall)
                continue
            break
        log.debug("query answered in %.3f s", time.monotonic() - started)
        assert reply is not None
        return _unpack(reply)

    def _exchange(
        self,
        slot: _Slot,
        worker: Worker,
        request: Request,
        started: float,
        deadline: float,
        timeout: float,
    ) -> tuple[str, Reply | None, float, float]:
        """Send ``request`` to ``worker`` (handed to ``slot``) and wait for its reply; also
        the query's cost: the CPU seconds its worker used (wall time where unknown) and the
        wall seconds it ran.

        A fast-lane query is promoted once it has used ``promote_after`` seconds of CPU, not
        of wall time: on a machine whose CPUs are all busy a cheap query can wait long for
        the CPU, and that does not make it heavy."""
        sent = time.monotonic()
        cpu = worker.cpu_mark if worker.cpu_mark is not None else worker.cpu_seconds()

        def cost() -> float:
            now = worker.cpu_seconds()
            if now is None or cpu is None:
                return time.monotonic() - sent
            return max(now - cpu, 0.0)  # ``/proc`` counts whole ticks, the mark microseconds

        left = max(deadline - sent, 0.001)
        over = False  # the worker went over its memory limit while it ran
        try:
            worker.send(request, left)
            ready = False
            if slot.heavy:
                _set_nice(worker, HEAVY_NICE)
            else:
                while not ready and time.monotonic() < deadline:
                    ready = worker.ready(min(self.promote_after, left))
                    if ready:
                        break
                    over = self._over_memory(worker, running=True)
                    if over or cost() >= self.promote_after:
                        break
                if not ready and not over and time.monotonic() < deadline:
                    if self._promote(slot):
                        _set_nice(worker, HEAVY_NICE)
                    else:
                        spent = cost()
                        self._release(slot, self._retire(worker))
                        return "requeue", None, spent, time.monotonic() - sent
            while not ready and not over and (rest := deadline - time.monotonic()) > 0:
                ready = worker.ready(min(_WATCH, rest))
                over = not ready and self._over_memory(worker, running=True)
            if not ready and not over:  # at the deadline: a last look
                ready = worker.ready(0)
            reply: Reply | None = None
            if ready:
                reply = worker.receive()
        except (EOFError, OSError):
            worker.join(1)
            stderr = worker.stderr()
            self._release(slot, self._retire(worker))
            reason = crash_reason(stderr, worker.exitcode, self._memory_mb)
            first = stderr.decode("utf-8", "replace").strip().split("\n", 1)[0][:200]
            log.warning(
                "query worker %d ended (exit status %s): %s%s",
                worker.pid,
                worker.exitcode,
                reason.removeprefix("the query was stopped: "),
                f" [it said: {first}]" if first else "",  # one line, never a backtrace
            )
            raise QueryAborted(reason) from None
        if over:
            log.warning(
                "query stopped after %.1f s: worker %d has %d MiB of its own, over its limit",
                time.monotonic() - started,
                worker.pid,
                worker.own >> 20,
            )
            self._release(slot, self._retire(worker))
            raise QueryAborted(over_limit(self._memory_mb))
        if reply is None:
            log.warning(
                "query stopped after %.1f s, killing worker %d",
                time.monotonic() - started,
                worker.pid,
            )
            self._release(slot, self._retire(worker))
            raise QueryTimeout(
                f"the query was stopped after the time limit of {timeout:g} s; "
                "simplify it or add a LIMIT"
            )
        wall = time.monotonic() - sent
        spent = worker.cpu_mark - cpu if worker.cpu_mark is not None and cpu is not None else wall
        if self._over_memory(worker):  # answered, but over its limit now: replace it
            log.info("worker %d has %d MiB of its own, replacing it", worker.pid, worker.own >> 20)
            self._release(slot, self._retire(worker))
        elif slot.heavy and not _set_nice(worker, 0):  # cannot be made cheap again: replace it
            self._release(slot, self._retire(worker))
        else:
            self._release(slot, worker)
        return "done", reply, spent, wall

    def close(self) -> None:
        """Stop every worker (idempotent)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            workers, self._all = self._all, []
            self._idle = []
            for slot in self._queues[False] + self._queues[True]:
                slot.wake()
        for worker in workers:
            with contextlib.suppress(OSError, ValueError):
                worker.stop()
        for worker in workers:
            worker.join(1)
            worker.kill()
        atexit.unregister(self.close)


def _unpack(reply: Reply) -> QueryResult:
    tag = reply[0]
    if tag == "ok":
        assert isinstance(reply[1], QueryResult)
        return reply[1]
    if tag == "syntax":
        _, message, line, column, excerpt = reply
        raise QuerySyntaxError(str(message), int(str(line)), int(str(column)), str(excerpt))
    _, name, message = reply
    raise _ERRORS.get(str(name), QueryError)(str(message))
