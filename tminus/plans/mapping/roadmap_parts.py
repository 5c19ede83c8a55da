"""Applying and rendering for the release train (roadmap) mapper."""
from datetime import date

from tminus.core.errors import ValidationFailed
from tminus.plans import dates, markdown
from tminus.plans.mapping.common import marker_of, same
from tminus.plans.mapping.release_parts import EMOJI_FOR_STATUS, STATUS_EMOJI


def cadence_text(value: str, days: set[int] = frozenset()) -> str | None:
    """The part of 'Monthly major releases' the roadmap reads as a cadence; a monthly one
    without its day takes the day every release of the train goes live on."""
    from tminus.roadmap.cadence import parse_cadence

    words = markdown.strip_markup(value).lower().split()
    for end in range(len(words), 0, -1):
        text = " ".join(words[:end])
        for candidate in (text, *(f"{text} on the {_ordinal(day)}" for day in days
                                  if len(days) == 1)):
            try:
                parse_cadence(candidate)
            except ValueError:
                continue
            return candidate
    return None


def _ordinal(day: int) -> str:
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def feature_entry(reader, element) -> dict:
    text, status, emoji = markdown.strip_markup(element.text), "planned", None
    for mark, meaning in STATUS_EMOJI.items():
        if text.startswith(mark):
            status, emoji = meaning, mark
            text = text[len(mark):].lstrip("\ufe0f").strip()
            break
    return {"uid": reader.new_uid("f"), "title": text[:300], "status": status,
            "style": {"emoji": emoji}}


# ---- applying ----------------------------------------------------------------------------------

def apply_roadmap(context, entries: list[dict]) -> None:
    from tminus.roadmap import services

    product = context.release.product
    for entry in entries:
        if "cadence" in entry:
            _cadence(context, services, product, entry)
        else:
            _train_release(context, services, product, entry)


def _cadence(context, services, product, entry: dict) -> None:
    from tminus.roadmap.models import Cadence

    cadence = Cadence.objects.filter(product=product).first()
    if cadence is None or cadence.text != entry["cadence"]:
        try:
            cadence = services.cadence_set(product=product, text=entry["cadence"],
                                           actor=context.actor)
        except ValidationFailed as refused:
            context.warn(f"The cadence '{entry['cadence']}' was not set: {refused.message}")
            return
        context.change(f"set the cadence of {product.name} to '{cadence.text}'")
    context.records[entry.get("uid") or "cadence"] = cadence


def _train_release(context, services, product, entry: dict) -> None:
    if "milestones" in entry:
        _table_release(context, product, entry)
        return
    other = (product.releases.filter(version=entry["version"]).exclude(pk=context.release.pk)
             .first())
    other = _on_roadmap(context, entry, other, f"Release {entry['version']}", lambda go_live: (
        services.roadmap_release_create(product=product, go_live=go_live,
                                        version=entry["version"],
                                        theme=entry.get("theme") or entry.get("title", ""),
                                        actor=context.actor)))
    if other is not None:
        _features(context, other, entry.get("features") or [])


def _table_release(context, product, entry: dict) -> None:
    """A row of a release train table: the product's release of that version (or period),
    created from the blank template when the product has none, with the row's milestones."""
    from tminus.plans.applying import BLANK_TEMPLATE
    from tminus.releases import services as release_services

    releases = product.releases.exclude(pk=context.release.pk)
    version, title = entry.get("version") or "", str(entry.get("title") or "")[:200]
    other = (releases.filter(version=version).first() if version
             else releases.filter(name__iexact=title).first())
    other = _on_roadmap(context, entry, other, title, lambda go_live: (
        release_services.release_create(product=product, name=title or f"Release {version}",
                                        version=version, template_key=BLANK_TEMPLATE,
                                        go_live=go_live, actor=context.actor)))
    if other is not None:
        _train_milestones(context, other, entry.get("milestones") or [])


def _on_roadmap(context, entry: dict, other, label: str, create):
    """The train's release: the one the product has (never moved by a plan: that is done on
    its own page), else a new one; None when the area refuses it."""
    go_live = date.fromisoformat(entry["go_live"]) if entry.get("go_live") else None
    if other is None:
        try:
            other = create(go_live)
        except ValidationFailed as refused:
            context.warn(f"{label} was not put on the roadmap: {refused.message}")
            return None
        context.change(f"put release {other.key} on the roadmap")
    elif go_live and other.go_live != go_live:
        context.warn(f"{label} ({other.key}) goes live on {other.go_live}; the plan says "
                     f"{go_live}. It was not moved: move it on its own page.")
    context.records[entry.get("uid") or f"train:{other.pk}"] = other
    return other


def _train_milestones(context, other, milestones: list[dict]) -> None:
    from tminus.plans.mapping.common import sync
    from tminus.releases import services as release_services

    def add(entry):
        return release_services.milestone_add(
            release=other, name=entry["name"], kind=entry.get("kind") or "other",
            on=date.fromisoformat(entry["date"]) if entry.get("date") else None,
            responsible=entry.get("responsible") or "", actor=context.actor)

    def changes(milestone, entry):
        wanted = {"date": date.fromisoformat(entry["date"]) if entry.get("date") else None,
                  "responsible": (entry.get("responsible") or "")[:200]}
        return {k: v for k, v in wanted.items() if getattr(milestone, k) != v}

    sync(context, milestones, other.milestones.all(), noun="milestone", add=add,
         match=lambda m, e: same(m.name, e.get("name")), changes=changes,
         update=lambda m, wanted: release_services.milestone_update(
             milestone=m, changes=wanted, revision=None, actor=context.actor))


def _features(context, other, features: list[dict]) -> None:
    from tminus.releases import services as release_services

    existing = list(other.scope_items.all())
    for feature in features:
        item = next((s for s in existing if same(s.title, feature["title"])), None)
        status = feature.get("status") or "planned"
        if item is None:
            item = release_services.scope_item_add(release=other, title=feature["title"],
                                                   status=status, actor=context.actor)
            context.change(f"added feature '{item.title}' to {other.key}")
        elif item.status != status:
            item = release_services.scope_item_update(item=item, revision=None,
                                                      changes={"status": status},
                                                      actor=context.actor)
            context.change(f"updated feature '{item.title}' of {other.key}")
        if feature.get("uid"):
            context.records[feature["uid"]] = item


# ---- live data and rendering -------------------------------------------------------------------

def load_train(release) -> dict:
    """The product's cadence and the train's releases this document named, with features."""
    from tminus.plans.models import PlanBlock
    from tminus.releases.models import Milestone, Release, ScopeItem
    from tminus.roadmap.models import Cadence

    ids, cadence = set(), False
    for block in PlanBlock.objects.filter(document__release=release,
                                          kind__in=("train_release", "train_table", "cadence")):
        cadence = cadence or block.kind == "cadence"
        if block.kind == "train_release":
            ids.add(block.data.get("id"))
        ids.update(row.get("id") for row in block.data.get("rows", []))
    ids.discard(None)
    milestones: dict[int, list] = {}
    for milestone in Milestone.objects.filter(release_id__in=ids).order_by("order", "id"):
        milestones.setdefault(milestone.release_id, []).append(milestone)
    # The product's cadence belongs in this release's plan only when its document sets it.
    return {"cadence": Cadence.objects.filter(product_id=release.product_id).first()
            if cadence else None,
            "train_releases": {r.pk: r for r in Release.objects.filter(pk__in=ids)},
            "train_milestones": milestones,
            "train_features": {s.pk: s for s in ScopeItem.objects.filter(release_id__in=ids)}}


def render_train(block: dict, live: dict) -> list[str]:
    kind, line = block["kind"], block["line"]
    if block.get("id") is None or kind == "train_release":
        return [line]
    if kind == "cadence":
        cadence = live.get("cadence")
        if cadence is None or cadence.text == block.get("value"):
            return [line]
        found = markdown.fields_in(line)
        return [markdown.replace_values(line, {0: cadence.text}, found)]
    if kind == "train_feature":
        return [_feature_line(block, live.get("train_features", {}).get(block["id"]))]
    return [_field_line(block, live.get("train_releases", {}).get(block["id"]))]


def _field_line(block: dict, other) -> str:
    line = block["line"]
    found = markdown.fields_in(line)
    if other is None or not found or (other.go_live is None and block["field"] == "go_live"):
        return line
    if block["field"] == "go_live":
        written = dates.parse_when(found[0].value, other.go_live)
        if written is not None and written.day == other.go_live:
            return line
        text = dates.format_like(other.go_live, found[0].value)
    else:
        if same(other.goal, found[0].value):
            return line
        text = other.goal or "—"
    return markdown.replace_values(line, {0: text}, found)


def _feature_line(block: dict, item) -> str:
    line = block["line"]
    if item is None:
        return line
    text = markdown.strip_markup(line.lstrip()[1:].strip())
    emoji = (block.get("style") or {}).get("emoji")
    status_now = item.status
    if same(text.replace(emoji or "", "").lstrip("\ufe0f").strip(), item.title) and (
            emoji is None or STATUS_EMOJI.get(emoji) == status_now):
        return line
    mark = EMOJI_FOR_STATUS.get(status_now, emoji or "") if emoji else ""
    return f"{marker_of(line)}{mark + ' ' if mark else ''}{item.title}"


def export_train(live: dict) -> list[dict]:
    entries = []
    cadence = live.get("cadence")
    if cadence is not None:
        entries.append({"cadence": cadence.text})
    features = live.get("train_features", {}).values()
    for other in live.get("train_releases", {}).values():
        entry = {
            "version": other.version, "title": other.name, "theme": other.goal,
            "go_live": other.go_live.isoformat() if other.go_live else None,
            "features": [{"title": s.title, "status": s.status} for s in features
                         if s.release_id == other.pk]}
        milestones = live.get("train_milestones", {}).get(other.pk)
        if milestones:
            entry["milestones"] = [
                {"name": m.name, "kind": m.kind, "date": m.date.isoformat() if m.date else None,
                 **({"responsible": m.responsible} if m.responsible else {})}
                for m in milestones]
        entries.append(entry)
    return entries
