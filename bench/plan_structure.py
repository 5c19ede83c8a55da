"""How much of real plans' structure an import turns into records: prints figures, asserts nothing.

    python bench/plan_structure.py [--database-url postgres://...] [--verbose] [--only NAME]

Imports every plan of the public corpus (tests/plans/corpus/, facts in its facts/ folder) and the
five seeds (tests/plans/seeds/, facts in seeds/facts/) into a fresh database (SQLite in a
temporary data directory unless --database-url is given), each into a product of its own, exports
each release as JSON (`tminus export --format json`) and scores the export against the plan's
annotated facts with the corpus's score.py. Prints per plan and in total: facts kept, invented
records, import time. Targets: at least 90% of the facts kept and at most 5 invented records on
the corpus, at least 90% on the seeds, every import under 1 s.
"""

import argparse
import importlib.util
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PLANS = ROOT / "tests" / "plans"
SETS = (("corpus", PLANS / "corpus", PLANS / "corpus" / "facts"),
        ("seeds", PLANS / "seeds", PLANS / "seeds" / "facts"))
TARGET_KEPT, TARGET_INVENTED, TARGET_SECONDS = 0.90, 5, 1.0

from pages import setup_django  # noqa: E402  (a fresh database, as the other benchmarks make)


def load_scorer():
    spec = importlib.util.spec_from_file_location("plan_score", PLANS / "corpus" / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def plans(facts_dir: Path, plans_dir: Path, only: str) -> list[tuple[Path, Path]]:
    found = []
    for facts in sorted(facts_dir.glob("*.facts.json")):
        plan = plans_dir / facts.name.removesuffix(".facts.json")
        if only in plan.name:
            found.append((plan, facts))
    return found


def import_and_export(plan: Path, number: int) -> tuple[dict, float]:
    from tminus.core.actors import Actor
    from tminus.plans import services
    from tminus.plans.exporting import export_json
    from tminus.releases.models import Release

    started = time.perf_counter()
    outcome = services.plan_import(data=plan.read_bytes(), source_name=plan.name,
                                   product_key=f"bench-{number}", actor=Actor.cli())
    seconds = time.perf_counter() - started
    release = Release.objects.get(key=outcome.release_key)
    # Through JSON text, exactly as `tminus export --format json` writes it.
    return json.loads(export_json(release)), seconds


def run_set(name: str, pairs, scorer, verbose: bool, counter: list[int]):
    print(f"\n{name}: {len(pairs)} plans")
    print(f"{'plan':<52} {'kept':>9} {'%':>5} {'invented':>8} {'import':>8}")
    total_got = total_units = total_invented = 0
    slowest = 0.0
    for plan, facts_path in pairs:
        counter[0] += 1
        facts = json.loads(facts_path.read_text(encoding="utf-8"))
        try:
            export, seconds = import_and_export(plan, counter[0])
        except Exception as error:  # a refused plan keeps nothing; say why
            export, seconds = {}, 0.0
            print(f"  {plan.name}: import failed: {error}")
        kinds, invented = scorer.score(facts, export)
        got = sum(v[0] for v in kinds.values())
        units = sum(v[1] for v in kinds.values())
        total_got, total_units = total_got + got, total_units + units
        total_invented += len(invented)
        slowest = max(slowest, seconds)
        share = got / units if units else 1.0
        print(f"{plan.name[:52]:<52} {got:>4}/{units:<4} {share:>5.0%} {len(invented):>8} "
              f"{seconds:>7.2f}s")
        if verbose:
            for kind, (g, u, misses) in sorted(kinds.items()):
                if misses:
                    print(f"      {kind:18} {g}/{u}  missed: {'; '.join(misses[:5])}")
            if invented:
                print(f"      invented: {'; '.join(invented[:6])}")
    share = total_got / total_units if total_units else 1.0
    print(f"{'total ' + name:<52} {total_got:>4}/{total_units:<4} {share:>5.0%} "
          f"{total_invented:>8} {slowest:>7.2f}s (slowest)")
    return total_got, total_units, total_invented, slowest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--verbose", action="store_true", help="list the missed facts")
    parser.add_argument("--only", default="", help="only plans whose file name contains this")
    args = parser.parse_args()
    setup_django(args.database_url)
    from django.db import connection

    scorer = load_scorer()
    started = time.perf_counter()
    from tminus.plans import dates
    from tminus.plans.mapping import active_mappers

    dates.parse_when("Tuesday 10th September 2024", None)  # dateparser loads its data once
    active_mappers()  # and the areas' modules are imported once
    print(f"database: {connection.vendor}; date parser and areas loaded in "
          f"{time.perf_counter() - started:.2f} s (once per process)")
    counter = [0]
    for name, plans_dir, facts_dir in SETS:
        pairs = plans(facts_dir, plans_dir, args.only)
        if not pairs:
            continue
        got, units, invented, slowest = run_set(name, pairs, scorer, args.verbose, counter)
        share = got / units if units else 1.0
        kept_ok = "ok" if share >= TARGET_KEPT else "below target"
        invented_ok = "ok" if name == "seeds" or invented <= TARGET_INVENTED else "over target"
        time_ok = "ok" if slowest < TARGET_SECONDS else "over target"
        print(f"{name}: {share:.1%} kept (target {TARGET_KEPT:.0%}: {kept_ok}), {invented} "
              f"invented (target <= {TARGET_INVENTED}: {invented_ok}), slowest import "
              f"{slowest:.2f} s (target < {TARGET_SECONDS:.0f} s: {time_ok})")


if __name__ == "__main__":
    main()
