"""Demo placeholder values and an extra message, on top of the plans the templates laid out."""

from datetime import time

from tminus.comms import services
from tminus.core.actors import Actor
from tminus.releases.models import Release

LAYBY_VALUES = {
    "support_email": "support@layby.example",
    "support_phone": "+61 2 5550 0101",
    "user_guide_url": "https://docs.layby.example/guide",
    "video_url": "https://docs.layby.example/videos",
    "faq_url": "https://docs.layby.example/faq",
    "training_dates": "the two Tuesdays before go-live",
    "training_url": "https://training.layby.example/register",
    "getting_started": "1. Log into your account\n2. Navigate to \"Laybys\" in the menu\n"
                       "3. Click \"New Layby\" to create your first layby",
}


def load() -> None:
    actor = Actor.cli()
    layby = Release.objects.filter(key="layby-1.0").first()
    if layby is not None:
        current = dict(layby.placeholder_values.values_list("key", "value"))
        services.placeholder_values_set(release=layby, values={**current, **LAYBY_VALUES},
                                        actor=actor)
    shop = Release.objects.filter(key="food-release-process").first()
    if shop is not None:
        services.message_create(
            release=shop, name="Support team briefing", subject="Support briefing: {release_name}",
            body="Hello {recipient_name},\n\n{release_name} goes live on {go_live}. The support "
                 "briefing and the FAQ are in the plan: {release_url}\n",
            audience=["customer_support", "owner"], offset=-5, send_time=time(10, 0),
            actor=actor,
        )
