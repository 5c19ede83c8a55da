"""Demo documentation progress on layby-1.0 and its important links."""

from tminus.core.actors import Actor
from tminus.documents import services
from tminus.releases.models import Release

_PROGRESS = {
    "User guide": ("published", "https://docs.example.com/layby/user-guide"),
    "Admin documentation": ("in_review", ""),
    "API documentation": ("published", "https://docs.example.com/layby/api"),
    "FAQ": ("in_progress", ""),
}
_LINKS = {
    "Support portal": "https://support.example.com/layby",
    "Monitoring dashboard": "https://grafana.example.com/d/layby",
    "Issue tracker": "https://issues.example.com/projects/MBM",
}


def load() -> None:
    release = Release.objects.filter(key="layby-1.0").first()
    if release is None:
        return
    actor = Actor.cli()
    for document in release.documents.all():
        if document.title in _PROGRESS:
            status, link = _PROGRESS[document.title]
            services.document_update(document=document, revision=document.revision,
                                     changes={"status": status, "link": link}, actor=actor)
    for link in release.important_links.all():
        if link.label in _LINKS:
            services.link_update(link=link, revision=link.revision,
                                 changes={"url": _LINKS[link.label]}, actor=actor)
