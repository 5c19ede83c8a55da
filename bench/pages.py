"""Server time of the busiest pages: prints median and p95, asserts nothing.

    python bench/pages.py [--requests 200] [--database-url postgres://...] [--only release,inline]
                          [--profile release]

Builds a fresh database (SQLite in a temporary data directory unless --database-url is given)
with 10,000 releases (10 checklist items each) and one release with 1,000 checklist items, then
times, in-process through Django's full request stack, the portfolio page, the portfolio API,
the release page with 1,000 items, a checklist item update through the API, and the same
update made in place on the release page (the htmx request the plan editor sends).
Target: p95 under 50 ms on SQLite on a 2-core machine. --only times some of the pages (portfolio,
api, release, update, inline) on the same data; the release page's query count is printed too.
--profile PAGE runs PAGE's requests under cProfile instead of timing them and prints the 30
functions with the most cumulative and the 30 with the most own time.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


PAGES = {"portfolio": "portfolio page (10,000 releases)",
         "api": "portfolio API (10,000 releases)",
         "release": "release page (1,000 checklist items)",
         "update": "checklist item update (API)",
         "inline": "inline edit on the release page (htmx)"}


def setup_django(database_url: str) -> None:
    os.environ["TMINUS_DATA_DIR"] = tempfile.mkdtemp(prefix="tminus-bench-")
    os.environ.pop("DATABASE_URL", None)
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "tminus.settings"
    os.environ["TMINUS_LOG_LEVEL"] = "WARNING"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build_data():
    from tminus.accounts.models import User
    from tminus.core.actors import Actor
    from tminus.releases import services
    from tminus.releases.models import ChecklistItem, ChecklistSection, Release

    manager = User.objects.create(username="bench", role="release_manager")
    product = services.product_create(key="bench", name="Bench", actor=Actor.cli())
    go_live = date.today() + timedelta(days=30)
    Release.objects.bulk_create(
        (Release(product=product, key=f"bulk-{n}", name=f"Bulk {n}", owner=manager,
                 go_live=go_live + timedelta(days=n % 400)) for n in range(10_000)),
        batch_size=1000,
    )
    big = services.release_create(product=product, name="Big", template_key="major",
                                  go_live=go_live, key="big", actor=Actor.cli())
    section = ChecklistSection.objects.create(release=big, title="Filler")
    releases = list(Release.objects.filter(key__startswith="bulk-").values_list("id", flat=True))
    ChecklistItem.objects.bulk_create(
        (ChecklistItem(release_id=rid, section=section, text="item", due_date=date(2020, 1, 1),
                       status="done" if n % 3 else "todo")
         for rid in releases for n in range(10)),
        batch_size=5000,
    )
    items = big.checklist_items.count()
    ChecklistItem.objects.bulk_create(
        (ChecklistItem(release=big, section=section, text=f"Big item {n}", owner=manager,
                       due_date=go_live - timedelta(days=n % 60)) for n in range(1000 - items)),
        batch_size=1000,
    )
    return manager, big


def timed(call, requests: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds per request. On a shared machine the wall clock also
    counts the time other processes held the cores; the CPU time is this server's own work."""
    call()  # warm caches and templates
    wall, cpu = [], []
    for _ in range(requests):
        start, start_cpu = time.perf_counter(), time.process_time()
        response = call()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        assert response.status_code == 200, response.status_code
    return wall, cpu


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[int(len(ordered) * 0.95) - 1]


def report(name: str, samples: tuple[list[float], list[float]]) -> None:
    wall, cpu = samples
    p95 = _p95(wall)
    verdict = "ok" if p95 < 50 else "over target"
    print(f"{name:<40} median {statistics.median(wall):7.2f} ms   p95 {p95:7.2f} ms   "
          f"({p95 / 50:.2f} of the 50 ms target: {verdict});   CPU p95 {_p95(cpu):7.2f} ms")


def inline_editor(client, item):
    """An in-place edit of an item's text, made from the revision the editor was opened at."""
    from tminus.releases.models import ChecklistItem

    state = {"revision": ChecklistItem.objects.get(pk=item.pk).revision, "n": 0}

    def edit():
        state["n"] += 1
        response = client.post(f"/inline/item/{item.pk}/text",
                               {"value": f"Big item, edit {state['n']}",
                                "revision": state["revision"]}, HTTP_HX_REQUEST="true")
        state["revision"] += 1
        return response

    return edit


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--only", default=",".join(PAGES),
                        help="comma-separated pages to time, of: " + ", ".join(PAGES))
    parser.add_argument("--profile", choices=PAGES, default="",
                        help="profile this page's requests instead of timing them")
    args = parser.parse_args()
    only = set(args.only.split(","))
    if only - set(PAGES):
        parser.error(f"unknown page(s): {', '.join(sorted(only - set(PAGES)))}")
    setup_django(args.database_url)
    from django.db import connection
    from django.test import Client

    started = time.perf_counter()
    manager, big = build_data()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (wall-clock figures "
          "include waiting for the cores)")
    print(f"database: {connection.vendor}; built 10,000 releases and a release with "
          f"{big.checklist_items.count()} items in {time.perf_counter() - started:.1f} s")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(manager)
    item = big.checklist_items.first()
    statuses = iter(["done", "todo"] * args.requests)

    def update():
        from tminus.releases.models import ChecklistItem

        revision = ChecklistItem.objects.get(pk=item.pk).revision
        return client.patch(f"/api/v1/checklist-items/{item.pk}",
                            data=f'{{"status": "{next(statuses)}", "revision": {revision}}}',
                            content_type="application/json")

    calls = {"portfolio": lambda: client.get("/"), "api": lambda: client.get("/api/v1/releases"),
             "release": lambda: client.get("/releases/big/"), "update": update,
             "inline": inline_editor(client, item)}
    if args.profile:
        profile(calls[args.profile], args.requests)
        return
    if "release" in only:
        print(f"release page: {release_page_queries(client)} queries")
    for key, name in PAGES.items():
        if key in only:
            report(name, timed(calls[key], args.requests))


def profile(call, requests: int) -> None:
    import cProfile
    import pstats

    call()  # warm caches and templates
    profiler = cProfile.Profile()
    profiler.runcall(lambda: [call() for _ in range(requests)])
    stats = pstats.Stats(profiler).strip_dirs()
    stats.sort_stats("cumulative").print_stats(30)
    stats.sort_stats("tottime").print_stats(30)


def release_page_queries(client) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get("/releases/big/")
    with CaptureQueriesContext(connection) as captured:
        client.get("/releases/big/")
    return len(captured)


if __name__ == "__main__":
    main()
