"""Flag evaluation speed: the T-Minus engine against other flag engines, in one run.

Run from the repository root (takes well under two minutes):

    .venv/bin/pip install -e "packages/tminus-client[bench]"
    .venv/bin/python bench/flags_eval.py            # --users N to change the population

One flag is evaluated for 100,000 distinct users: a sticky 10% rollout on userId, limited by
one constraint (country in a list of four), plus an allow-list of 50 user ids. Each engine gets
the equivalent flag in its own format and a context per user built before timing starts:

- T-Minus engine: ``FlagEngine.is_enabled`` (and ``TMinusClient.is_enabled``, which also
  counts metrics);
- the stock Unleash Python SDK (``UnleashClient``, evaluating in its Rust engine), offline:
  bootstrapped from an in-memory cache, with fetching, registration and metrics off;
- GrowthBook (``set_attributes`` then ``is_on``, as its server-side docs show);
- flagsmith-flag-engine (``get_evaluation_result`` on a per-user evaluation context);
- the bare bucketing formula, murmur3 of "group:userId", as a floor.

Calls are timed in batches of 100 consecutive users, because a timer read per call would cost
as much as the call; the median and 95th percentile are taken over the batches' per-call
averages. The engines take turns batch by batch, so a machine busy with other work slows them
alike. The clock is this thread's CPU time, so other processes sharing the machine do not
inflate the figures (``--wall`` uses wall-clock time instead). The garbage collector is paused
while timing. "users on" is the share of users each engine lets in: Unleash's formula is shared
by T-Minus and the Unleash SDK, so they must agree user by user; the others hash differently and
only agree on the share. This script prints; it tests nothing.
"""

import argparse
import gc
import json
import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import mmh3
from flag_engine.engine import get_evaluation_result
from growthbook import GrowthBook
from tminus_client import FlagEngine, TMinusClient
from UnleashClient import UnleashClient
from UnleashClient.cache import BaseCache
from UnleashClient.constants import FEATURES_URL

FLAG = "checkout-redesign"
ROLLOUT_PERCENT = 10
COUNTRIES_IN = ["NO", "SE", "DK", "FI"]
COUNTRIES_SEEN = [*COUNTRIES_IN, "DE", "US"]
BATCH = 100

Batch = Callable[[Sequence[Any]], None]


class Contender(NamedTuple):
    """One engine under test, with the flag and the users in its own format."""

    name: str
    run_batch: Batch  # Evaluates the flag for each context given, with nothing else in the loop.
    contexts: list[Any]  # One per user, built before timing starts.
    evaluate: Callable[[Any], bool]  # One evaluation, to compare answers.


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--wall", action="store_true", help="time with the wall clock")
    arguments = parser.parse_args()
    clock = time.perf_counter_ns if arguments.wall else time.thread_time_ns
    users = population(arguments.users)
    vips = users[::2000][:50]

    rows = [
        tminus_engine(users, vips),
        tminus_client(users, vips),
        unleash_sdk(users, vips),
        growthbook(users, vips),
        flagsmith(users, vips),
        bare_formula(users),
    ]
    report(rows, len(users), len(vips), clock)


def population(count: int) -> list[tuple[str, str]]:
    """(userId, country) for ``count`` distinct users."""
    return [(f"user-{n}", COUNTRIES_SEEN[n % len(COUNTRIES_SEEN)]) for n in range(count)]


def unleash_state(vips: list[tuple[str, str]]) -> dict[str, Any]:
    """The flag as an Unleash / T-Minus features state."""
    country = {"contextName": "country", "operator": "IN", "values": COUNTRIES_IN}
    rollout = {
        "name": "flexibleRollout",
        "parameters": {"rollout": str(ROLLOUT_PERCENT), "stickiness": "userId", "groupId": FLAG},
        "constraints": [country],
    }
    allow_list = {"name": "userWithId", "parameters": {"userIds": ",".join(u for u, _ in vips)}}
    feature = {"name": FLAG, "enabled": True, "strategies": [rollout, allow_list]}
    return {"version": 2, "features": [feature], "segments": []}


def unleash_contexts(users: list[tuple[str, str]]) -> list[dict[str, Any]]:
    return [{"userId": user, "properties": {"country": country}} for user, country in users]


def unleash_style(name: str, is_enabled: Callable[..., bool], users) -> Contender:
    """A contender with Unleash's API, ``is_enabled(flag, context)``."""

    def batch(contexts):
        for context in contexts:
            is_enabled(FLAG, context)

    def evaluate(context):
        return is_enabled(FLAG, context)

    return Contender(name, batch, unleash_contexts(users), evaluate)


def tminus_engine(users, vips) -> Contender:
    engine = FlagEngine(unleash_state(vips))
    return unleash_style("T-Minus engine (FlagEngine.is_enabled)", engine.is_enabled, users)


def tminus_client(users, vips) -> Contender:
    client = TMinusClient.from_state(unleash_state(vips))
    return unleash_style("T-Minus client (with metrics)", client.is_enabled, users)


class _MemoryCache(BaseCache):
    """Hands UnleashClient its bootstrap state without touching disk or network."""

    def __init__(self, state: dict[str, Any]) -> None:
        self._data: dict[str, Any] = {FEATURES_URL: json.dumps(state)}
        self.bootstrapped = True

    def set(self, key, value):
        self._data[key] = value

    def mset(self, data):
        self._data.update(data)

    def get(self, key, default=None):
        return self._data.get(key, default)

    def exists(self, key):
        return key in self._data

    def destroy(self):
        self._data.clear()


def unleash_sdk(users, vips) -> Contender:
    # Bootstrapped from the cache in its constructor; initialize_client() is never called, so
    # it starts no fetching, registration or metrics threads.
    client = UnleashClient(
        url="http://127.0.0.1:9/api",
        app_name="bench",
        disable_metrics=True,
        disable_registration=True,
        cache=_MemoryCache(unleash_state(vips)),
    )
    return unleash_style("Unleash SDK (UnleashClient, Rust engine)", client.is_enabled, users)


def growthbook(users, vips) -> Contender:
    rules = [
        {"condition": {"id": {"$in": [u for u, _ in vips]}}, "force": True},
        {
            "condition": {"country": {"$in": COUNTRIES_IN}},
            "force": True,
            "coverage": ROLLOUT_PERCENT / 100,
            "hashAttribute": "id",
        },
    ]
    book = GrowthBook(features={FLAG: {"defaultValue": False, "rules": rules}})

    def evaluate(attributes):
        book.set_attributes(attributes)
        return book.is_on(FLAG)

    def batch(contexts):
        for attributes in contexts:
            book.set_attributes(attributes)
            book.is_on(FLAG)

    contexts = [{"id": user, "country": country} for user, country in users]
    return Contender("GrowthBook (set_attributes + is_on)", batch, contexts, evaluate)


def flagsmith(users, vips) -> Contender:
    feature = {"key": "1", "name": FLAG, "enabled": False, "value": None}
    override = {**feature, "enabled": True, "priority": 0}
    in_list = {"property": "$.identity.identifier", "operator": "IN",
               "value": [u for u, _ in vips]}
    in_country = {"property": "country", "operator": "IN", "value": COUNTRIES_IN}
    split = {"property": "", "operator": "PERCENTAGE_SPLIT", "value": str(ROLLOUT_PERCENT)}
    segments = {
        "vips": {"key": "1", "name": "vips", "overrides": [override],
                 "rules": [{"type": "ALL", "conditions": [in_list]}]},
        "rollout": {"key": "2", "name": "rollout", "overrides": [override],
                    "rules": [{"type": "ALL", "conditions": [in_country, split]}]},
    }
    environment = {"key": "bench", "name": "bench"}

    def evaluate(context):
        return get_evaluation_result(context)["flags"][FLAG]["enabled"]

    def batch(contexts):
        for context in contexts:
            get_evaluation_result(context)

    contexts = [
        {
            "environment": environment,
            "features": {FLAG: feature},
            "segments": segments,
            "identity": {
                "identifier": user,
                "key": f"bench_{user}",
                "traits": {"country": country},
            },
        }
        for user, country in users
    ]
    return Contender("Flagsmith flag engine (get_evaluation_result)", batch, contexts, evaluate)


def bare_formula(users) -> Contender:
    murmur3, prefix = mmh3.hash, f"{FLAG}:"

    def evaluate(user_id):
        return murmur3(prefix + user_id, 0, False) % 100 + 1 <= ROLLOUT_PERCENT

    def batch(user_ids):
        for user_id in user_ids:
            murmur3(prefix + user_id, 0, False) % 100 + 1 <= ROLLOUT_PERCENT  # noqa: B015

    return Contender("bare murmur3 formula (rollout only)", batch, [u for u, _ in users], evaluate)


def measure_in_turns(rows: list[Contender], clock: Callable[[], int]) -> list[tuple[float, float]]:
    """Median and 95th percentile of per-call nanoseconds of each contender, over batches of
    BATCH calls. The contenders take turns batch by batch, so that a machine busy with other
    work slows them all alike and their ratios hold."""
    for row in rows:
        row.run_batch(row.contexts[:2000])  # Warm up caches and the interpreter's specialisations.
    per_call: list[list[float]] = [[] for _ in rows]
    gc.disable()
    try:
        for start in range(0, min(len(row.contexts) for row in rows), BATCH):
            for row, timings in zip(rows, per_call, strict=True):
                chunk = row.contexts[start : start + BATCH]
                began = clock()
                row.run_batch(chunk)
                timings.append((clock() - began) / len(chunk))
    finally:
        gc.enable()
    return [(statistics.median(t), statistics.quantiles(t, n=20)[-1]) for t in per_call]


def report(
    rows: list[Contender], user_count: int, vip_count: int, clock: Callable[[], int]
) -> None:
    print(
        f"One flag, {user_count:,} distinct users: sticky {ROLLOUT_PERCENT}% rollout on userId "
        f"with one constraint (country in {len(COUNTRIES_IN)}), plus {vip_count} allow-listed ids."
    )
    clock_name = "wall clock" if clock is time.perf_counter_ns else "thread CPU time"
    print(f"Per is_enabled call, timed over batches of {BATCH} calls ({clock_name}).\n")
    columns = ("median ns", "p95 ns", "vs T-Minus", "users on")
    header = f"{'engine':48} " + " ".join(
        f"{column:>{width}}" for column, width in zip(columns, (10, 10, 11, 9), strict=True)
    )
    print(header)
    print("-" * len(header))
    baseline, answers, medians = None, {}, {}
    for row, (median, p95) in zip(rows, measure_in_turns(rows, clock), strict=True):
        baseline = baseline or median
        answers[row.name] = [bool(row.evaluate(context)) for context in row.contexts]
        share = sum(answers[row.name]) / len(row.contexts)
        ratio = median / baseline
        print(f"{row.name:48} {median:10,.0f} {p95:10,.0f} {ratio:10.2f}x {share:9.2%}")
        medians[row.name] = median
    counting = medians[rows[1].name] - medians[rows[0].name]
    print(f"\nCounting metrics adds {counting:,.0f} ns per call to the engine's evaluation "
          f"({counting / medians[rows[0].name]:.0%} of it).")
    ours, unleash = answers[rows[0].name], answers[rows[2].name]
    disagreements = sum(a != b for a, b in zip(ours, unleash, strict=True))
    print(f"T-Minus engine and Unleash SDK disagree on {disagreements} of {len(ours):,} users.")


if __name__ == "__main__":
    main()
