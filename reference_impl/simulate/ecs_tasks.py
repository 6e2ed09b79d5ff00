"""The ECS tasks both models of option D run (deployed_d.py, option_d.py): launching to a desired
count, stopping idle tasks only (scale-in protection), and handing queued requests to free tasks.

Each task is [launched at, free at]; "free at" is its ready time until it takes work. The order
of `tasks` matters (ties between equally free tasks go to the earlier one), so it is kept exactly:
after a scale-in the survivors stay in the order of their free times.
"""
import heapq
from bisect import bisect_left, bisect_right
from operator import itemgetter

_FREE_AT = itemgetter(1)


class TaskPool:
    def __init__(self, running: int):
        # The minimum tasks have been running since the start of the period.
        self.tasks: list[list[float]] = [[0.0, 0.0] for _ in range(running)]
        self.capacity: list[tuple[float, float]] = []  # lifetimes of the tasks that stopped
        self.in_flight: list[float] = []  # heap of end times of requests being processed
        self.launches = 0
        self.zero_starts: list[float] = []  # times D started its first task from none

    def finish_until(self, t: float) -> None:
        """Requests done by `t` leave the in-flight count."""
        in_flight = self.in_flight
        while in_flight and in_flight[0] <= t:
            heapq.heappop(in_flight)

    def resize(self, desired: int, t: float, ready_delay: float) -> None:
        """Launch up to `desired` (each ready after `ready_delay`), or stop idle tasks down to it:
        busy ones finish and stop at a later call (scale-in protection)."""
        tasks = self.tasks
        if desired > len(tasks):
            if not tasks:
                self.zero_starts.append(t)
            added = desired - len(tasks)
            self.launches += added
            tasks.extend([[t, t + ready_delay] for _ in range(added)])
        elif desired < len(tasks):
            if len(tasks) == 1:  # to none (sparse traffic, most scale-ins): the one task stops if idle
                task = tasks[0]
                if task[1] <= t:
                    self.capacity.append((task[0], t))
                    self.tasks = []
                else:
                    self.tasks = [task]
                return
            excess, keep = len(tasks) - desired, []
            for task in sorted(tasks, key=_FREE_AT):
                if excess and task[1] <= t:
                    self.capacity.append((task[0], t))
                    excess -= 1
                else:
                    keep.append(task)
            self.tasks = keep

    def serve(self, arrivals: list[float], service: list[float], qi: int, t1: float,
              start: list[float], end: list[float]) -> int:
        """Hand the queued requests from `qi` on to the first free task, each starting before `t1`;
        returns the first request not handed out."""
        tasks, n = self.tasks, len(arrivals)
        if not tasks or qi >= n or arrivals[qi] >= t1:
            return qi
        # In flight: only each task's last request of this hand-out can still be running at the next
        # poll (a task's next request starts after its previous one ends, and every one handed out
        # starts before t1), so only those go on the heap; the others would leave it at the next
        # poll's finish_until unseen.
        in_flight, push = self.in_flight, heapq.heappush
        if len(tasks) == 1:
            # One task (sparse traffic, most polls): the same hand-out without a heap of one.
            task = tasks[0]
            when = task[1]
            first = qi
            while qi < n:
                a = arrivals[qi]
                if a >= t1:
                    break
                s = a if a > when else when
                if s >= t1:
                    break
                when = s + service[qi]
                start[qi] = s
                end[qi] = when
                qi += 1
            if qi > first:
                task[1] = when
                push(in_flight, when)
            return qi
        free = [(task[1], i) for i, task in enumerate(tasks)]
        heapq.heapify(free)
        worked = [False] * len(tasks)
        qi = _hand_out(free, worked, arrivals, service, qi, bisect_left(arrivals, t1, qi), t1, start, end)
        for when, i in free:  # each task's latest free time (the heap holds one entry per task)
            if worked[i]:
                tasks[i][1] = when
                push(in_flight, when)
        return qi

    def lifetimes(self, horizon: float) -> list[tuple[float, float]]:
        """Every task's lifetime; those still running are billed to the end of the period at least."""
        return self.capacity + [(launch, max(horizon, free_at)) for launch, free_at in self.tasks]


def _hand_out(free: list[tuple[float, int]], worked: list[bool], arrivals: list[float], service: list[float],
              qi: int, stop: int, t1: float, start: list[float], end: list[float]) -> int:
    """TaskPool.serve's hand-out to several tasks: each request from `qi` (up to `stop`, the first
    arriving at or after t1) to the first free task of the heap `free` of (free at, task), starting
    at its arrival or when that task frees, whichever is later, and before t1. Marks the tasks
    that worked; returns the first request not handed out.

    Under a backlog most requests have arrived before the first task frees: those start when it
    does, found in one search, with no comparison of each arrival (start times only grow, so every
    request that arrived by one start has arrived by the next)."""
    replace = heapq.heapreplace
    while qi < stop:
        when, i = free[0]
        a = arrivals[qi]
        if a > when:  # the first free task idles until this request arrives (a < t1: qi < stop)
            e = a + service[qi]
            start[qi] = a
            end[qi] = e
            worked[i] = True
            replace(free, (e, i))
            qi += 1
            continue
        waited = bisect_right(arrivals, when, qi, stop)  # this request and those after it that arrived by then
        for j in range(qi, waited):
            if when >= t1:
                return j
            e = when + service[j]
            start[j] = when
            end[j] = e
            worked[i] = True
            replace(free, (e, i))
            when, i = free[0]
        qi = waited
    return qi
