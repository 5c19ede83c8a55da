"""Demo flags: the shop's checkout and the 1095-B download of seed 004, in their rollout stages."""

from tminus.core.actors import Actor
from tminus.flags import services
from tminus.flags.choices import FlagType
from tminus.releases.models import Release


def load() -> None:
    actor = Actor.cli()
    shop = services.project_create(key="shop", name="E-Commerce Platform", actor=actor)
    release = Release.objects.filter(key="va-1095b-rollout").first()
    beta = services.segment_create(
        name="beta testers", actor=actor, description="Customers who opted into betas.",
        constraints=[{"contextName": "beta", "operator": "IN", "values": ["true"]}])

    download = services.flag_create(
        project=shop, key="form-1095b-download", flag_type=FlagType.RELEASE, release=release,
        description="Let users download their 1095-B tax form.", actor=actor)
    # UAT with named users in production, then a sticky 10% canary.
    services.strategy_create(flag=download, environment="production", name="userWithId",
                             title="UAT with named users",
                             parameters={"userIds": "mike.king,uat-2,uat-3"}, actor=actor)
    services.flag_rollout_percentage_set(flag=download, environment="production",
                                         percentage=10, stickiness="userId", actor=actor)
    services.strategy_create(flag=download, environment="staging", name="default", actor=actor)
    for environment in ("staging", "production"):
        services.flag_environment_toggle(flag=download, environment=environment, enabled=True,
                                         actor=actor)

    checkout = services.flag_create(
        project=shop, key="checkout-v2", flag_type=FlagType.EXPERIMENT, release=release,
        description="The new one-page checkout.", actor=actor)
    services.strategy_create(flag=checkout, environment="production", name="flexibleRollout",
                             parameters={"rollout": 50, "stickiness": "default",
                                         "groupId": "checkout-v2"},
                             segments=[beta.pk], actor=actor)
    services.flag_variants_set(flag=checkout, environment="production", actor=actor, variants=[
        {"name": "one-page", "weight": 500, "payload": {"type": "string", "value": "1"}},
        {"name": "two-step", "weight": 500, "payload": {"type": "string", "value": "2"}}])
    services.flag_environment_toggle(flag=checkout, environment="production", enabled=True,
                                     actor=actor)

    payments = services.flag_create(
        project=shop, key="payments-kill-switch", flag_type=FlagType.KILL_SWITCH,
        description="Turn off card payments if the provider fails.", actor=actor)
    for environment in ("development", "staging", "production"):
        services.flag_environment_toggle(flag=payments, environment=environment, enabled=True,
                                         actor=actor)
