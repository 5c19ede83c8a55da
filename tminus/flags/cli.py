"""`tminus flags create|toggle|archive|revive|strategies|variants|segments|tags|dependencies`.

Each sub-command calls the same service function as the API and the pages. Definitions given
as JSON (constraints, variants) are read with the API's schemas, so a mistake gets the same
message per field whichever way it was sent.
"""

import json
from pathlib import Path

from django.core.management.base import CommandError
from pydantic import TypeAdapter
from pydantic import ValidationError as SchemaError

from tminus.core.errors import ValidationFailed
from tminus.flags import presenters, selectors, services
from tminus.flags.choices import FlagType
from tminus.flags.models import Project
from tminus.flags.schemas import ConstraintIn, VariantIn, definitions
from tminus.outcomes.lookups import user_or_error

CONSTRAINTS = TypeAdapter(list[ConstraintIn])
VARIANTS = TypeAdapter(list[VariantIn])


def read_json_option(text: str, field: str):
    """A JSON option given inline, or as @FILE to read it from a file."""
    if text.startswith("@"):
        try:
            text = Path(text[1:]).read_text(encoding="utf-8")
        except OSError as error:
            raise CommandError(f"Cannot read {text[1:]}: {error.strerror}.") from None
    try:
        return json.loads(text)
    except ValueError as error:
        raise ValidationFailed({field: f"not JSON: {error}"}) from None


def parsed_definitions(adapter: TypeAdapter, text: str, field: str) -> list[dict]:
    """Constraints or variants from JSON, checked against the API's schema."""
    try:
        items = adapter.validate_python(read_json_option(text, field))
    except SchemaError as error:
        raise ValidationFailed({
            ".".join([field, *(str(p) for p in item["loc"])]): item["msg"]
            for item in error.errors()}) from None
    return definitions(items)


def parameters_from(pairs: list[str]) -> dict[str, str]:
    """`--param rollout=25 --param stickiness=userId` as a parameters object."""
    parameters = {}
    for pair in pairs or []:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise ValidationFailed({"parameters": f"{pair!r} is not NAME=VALUE."})
        parameters[name.strip()] = value
    return parameters


class FlagCommands:
    """The flag-editing sub-commands of `tminus flags`, mixed into its Command."""

    def add_flag_commands(self, sub) -> None:
        self._add_flag_parsers(sub)
        self._add_strategy_parsers(sub)
        self._add_segment_parsers(sub)
        self._add_dependency_parsers(sub)

    def _add_flag_parsers(self, sub) -> None:
        listing = self.add_subcommand(sub, "list", help="A project's flags, one a line.")
        listing.add_argument("--project", required=True)
        listing.add_argument("--archived", action="store_true", help="Archived flags instead.")
        show = self.add_subcommand(sub, "show", help="A flag with its state everywhere, as JSON.")
        show.add_argument("key")
        create = self.add_subcommand(sub, "create", help="Create a flag, off everywhere.")
        create.add_argument("key")
        create.add_argument("--project", required=True)
        create.add_argument("--type", default=FlagType.RELEASE, choices=FlagType.values)
        create.add_argument("--description", default="")
        create.add_argument("--owner", default="", help="A username.")
        create.add_argument("--release", default="", help="A release key.")
        create.add_argument("--impression-data", action="store_true")
        toggle = self.add_subcommand(sub, "toggle", help="Switch a flag on or off in one "
                                                         "environment.")
        toggle.add_argument("key")
        toggle.add_argument("--environment", required=True)
        state = toggle.add_mutually_exclusive_group(required=True)
        state.add_argument("--on", dest="enabled", action="store_true")
        state.add_argument("--off", dest="enabled", action="store_false")
        self._change_options(toggle, "the environment state's")
        for name, text in (("archive", "Archive a flag: SDKs stop receiving it."),
                           ("revive", "Bring an archived flag back, off everywhere.")):
            parser = self.add_subcommand(sub, name, help=text)
            parser.add_argument("key")
            self._change_options(parser, "the flag's")
        variants = self.add_subcommand(sub, "variants", help="Replace a flag's variants in one "
                                                             "environment.")
        variants.add_argument("key")
        variants.add_argument("--environment", required=True)
        variants.add_argument("--json", required=True, dest="variants",
                              help='[{"name": "blue", "payload": {"type": "json", "value": '
                                   '"{...}"}}, ...] or @FILE; [] removes them.')
        self._change_options(variants, "the environment state's")
        tags = self.add_subcommand(sub, "tags", help="Show a flag's tags, or replace them.")
        tags.add_argument("key")
        tags.add_argument("tags", nargs="*", help="value or type:value.")
        tags.add_argument("--clear", action="store_true", help="Remove every tag.")
        tags.add_argument("--revision", type=int, default=None)

    @staticmethod
    def _change_options(parser, whose: str) -> None:
        parser.add_argument("--reason", default="")
        parser.add_argument("--revision", type=int, default=None,
                            help=f"Refuse the change unless {whose} revision is still this.")

    def _add_strategy_parsers(self, sub) -> None:
        group = self.add_subcommand(sub, "strategies", help="A flag's strategies in one "
                                                            "environment.")
        actions = group.add_subparsers(dest="strategy_action", required=True)
        listing = self.add_subcommand(actions, "list", help="One a line: id, name, parameters.")
        add = self.add_subcommand(actions, "add", help="Add a strategy (built-in or custom).")
        update = self.add_subcommand(actions, "update", help="Change a strategy.")
        delete = self.add_subcommand(actions, "delete", help="Remove a strategy.")
        for parser in (listing, add, update, delete):
            parser.add_argument("key")
            parser.add_argument("--environment", required=True)
        for parser in (update, delete):
            parser.add_argument("id", type=int)
        add.add_argument("--name", required=True)
        update.add_argument("--name", default=None)
        for parser in (add, update):
            parser.add_argument("--title", default=None)
            parser.add_argument("--param", action="append", default=None,
                                help="NAME=VALUE (repeat); replaces all parameters.")
            parser.add_argument("--constraints", default=None, help="JSON list, or @FILE.")
            parser.add_argument("--segment", type=int, action="append", default=None,
                                help="A segment id (repeat).")
            parser.add_argument("--variants", default=None, help="JSON list, or @FILE.")
        for parser in (add, update, delete):
            self._change_options(parser, "the strategy's")

    def _add_segment_parsers(self, sub) -> None:
        group = self.add_subcommand(sub, "segments", help="Named constraint lists strategies "
                                                          "share.")
        actions = group.add_subparsers(dest="segment_action", required=True)
        self.add_subcommand(actions, "list", help="One a line: id, name, constraints.")
        create = self.add_subcommand(actions, "create", help="Create a segment.")
        create.add_argument("name")
        create.add_argument("--constraints", required=True, help="JSON list, or @FILE.")
        create.add_argument("--description", default="")
        create.add_argument("--project", default="", help="Limit the segment to a project.")
        update = self.add_subcommand(actions, "update", help="Change a segment; every flag "
                                                             "using it follows.")
        update.add_argument("id", type=int)
        update.add_argument("--name", default=None)
        update.add_argument("--constraints", default=None, help="JSON list, or @FILE.")
        update.add_argument("--description", default=None)
        update.add_argument("--revision", type=int, default=None)
        delete = self.add_subcommand(actions, "delete", help="Delete a segment no strategy uses.")
        delete.add_argument("id", type=int)

    def _add_dependency_parsers(self, sub) -> None:
        group = self.add_subcommand(sub, "dependencies", help="A flag's parent flag.")
        actions = group.add_subparsers(dest="dependency_action", required=True)
        listing = self.add_subcommand(actions, "list", help="The flag's parents.")
        listing.add_argument("key")
        set_ = self.add_subcommand(actions, "set", help="Make a flag depend on a parent.")
        set_.add_argument("key")
        set_.add_argument("parent")
        set_.add_argument("--parent-off", dest="enabled", action="store_false",
                          help="The parent must be off (default: on).")
        set_.add_argument("--variant", action="append", default=[],
                          help="The parent must give this variant (repeat for several).")
        set_.add_argument("--revision", type=int, default=None)
        remove = self.add_subcommand(actions, "remove", help="Remove a dependency.")
        remove.add_argument("key")
        remove.add_argument("parent")
        remove.add_argument("--revision", type=int, default=None)

    # -- flags -----------------------------------------------------------------------------

    def _list(self, options):
        project = selectors.project_get(options["project"])
        for row in selectors.flag_rows(project, archived=options["archived"]):
            states = " ".join(f"{env}={'on' if state.enabled else 'off'}"
                              for env, state in row.states.items())
            self.stdout.write(f"{row.flag.key}\t{row.flag.flag_type}\t{states}")

    def _show(self, options):
        self._write_flag(selectors.flag_get(options["key"]))

    def _write_flag(self, flag) -> None:
        flag = selectors.flag_get(flag.key)
        detail = presenters.flag_detail(flag, selectors.flag_states(flag))
        self.stdout.write(json.dumps(detail, indent=2, ensure_ascii=False))

    def _create(self, options):
        project = Project.objects.filter(key=options["project"]).first()
        if project is None:
            raise CommandError(f"No flag project {options['project']!r}.")
        flag = services.flag_create(
            project=project, key=options["key"], flag_type=options["type"],
            description=options["description"], owner=user_or_error(options["owner"]),
            release=selectors.release_or_error(options["release"]),
            impression_data=options["impression_data"],
            actor=self.actor(options))
        self.stdout.write(f"Created {flag.key} in {project.key}, off everywhere.")

    def _toggle(self, options):
        flag = selectors.flag_get(options["key"])
        state = services.flag_environment_toggle(
            flag=flag, environment=options["environment"], enabled=options["enabled"],
            reason=options["reason"], revision=options["revision"], actor=self.actor(options))
        self.stdout.write(f"{flag.key} is {'on' if state.enabled else 'off'} in "
                          f"{state.environment.key} (revision {state.revision}).")

    def _archive(self, options):
        flag = services.flag_archive(flag=selectors.flag_get(options["key"]),
                                     reason=options["reason"], revision=options["revision"],
                                     actor=self.actor(options))
        self.stdout.write(f"Archived {flag.key}.")

    def _revive(self, options):
        flag = services.flag_revive(flag=selectors.flag_get(options["key"]),
                                    reason=options["reason"], revision=options["revision"],
                                    actor=self.actor(options))
        self.stdout.write(f"Revived {flag.key}, off everywhere.")

    def _variants(self, options):
        flag = selectors.flag_get(options["key"])
        state = services.flag_variants_set(
            flag=flag, environment=options["environment"],
            variants=parsed_definitions(VARIANTS, options["variants"], "variants"),
            reason=options["reason"], revision=options["revision"], actor=self.actor(options))
        names = ", ".join(v["name"] for v in state.variants) or "none"
        self.stdout.write(f"{flag.key} in {state.environment.key}: variants {names}.")

    def _tags(self, options):
        flag = selectors.flag_get(options["key"])
        if options["tags"] or options["clear"]:
            services.flag_tags_set(flag=flag, tags=options["tags"], revision=options["revision"],
                                   actor=self.actor(options))
        for tag in flag.tags.all():
            self.stdout.write(str(tag))

    # -- strategies ------------------------------------------------------------------------

    def _strategies_list(self, options):
        flag = selectors.flag_get(options["key"])
        for strategy in selectors.strategies_in(flag, options["environment"]):
            self.stdout.write(f"{strategy.pk}\t{strategy.name}\t"
                              f"{json.dumps(strategy.parameters, sort_keys=True)}\t"
                              f"revision {strategy.revision}")

    @staticmethod
    def _strategy_values(options) -> dict:
        """The strategy fields given on the command line (left out: unchanged)."""
        values = {}
        if options["title"] is not None:
            values["title"] = options["title"]
        if options["param"] is not None:
            values["parameters"] = parameters_from(options["param"])
        if options["constraints"] is not None:
            values["constraints"] = parsed_definitions(CONSTRAINTS, options["constraints"],
                                                       "constraints")
        if options["segment"] is not None:
            values["segments"] = options["segment"]
        if options["variants"] is not None:
            values["variants"] = parsed_definitions(VARIANTS, options["variants"], "variants")
        return values

    def _strategies_add(self, options):
        flag = selectors.flag_get(options["key"])
        strategy = services.strategy_create(
            flag=flag, environment=options["environment"], name=options["name"],
            reason=options["reason"], actor=self.actor(options), **self._strategy_values(options))
        self.stdout.write(f"Added strategy {strategy.pk} ({strategy.name}) to {flag.key} in "
                          f"{options['environment']}.")

    def _strategies_update(self, options):
        flag = selectors.flag_get(options["key"])
        changes = self._strategy_values(options)
        if options["name"] is not None:
            changes["name"] = options["name"]
        strategy = services.strategy_update(
            strategy=selectors.strategy_get(flag, options["environment"], options["id"]),
            changes=changes,
            revision=options["revision"], reason=options["reason"], actor=self.actor(options))
        self.stdout.write(f"Changed strategy {strategy.pk} ({strategy.name}), now at revision "
                          f"{strategy.revision}.")

    def _strategies_delete(self, options):
        flag = selectors.flag_get(options["key"])
        strategy = selectors.strategy_get(flag, options["environment"], options["id"])
        services.strategy_delete(strategy=strategy, revision=options["revision"],
                                 reason=options["reason"], actor=self.actor(options))
        self.stdout.write(f"Removed strategy {options['id']} from {flag.key} in "
                          f"{options['environment']}.")

    # -- segments --------------------------------------------------------------------------

    def _segments_list(self, options):
        for segment in selectors.segment_list():
            self.stdout.write(f"{segment.pk}\t{segment.name}\t"
                              f"{json.dumps(segment.constraints)}\trevision {segment.revision}")

    def _segments_create(self, options):
        project = None
        if options["project"]:
            project = selectors.project_get(options["project"])
        segment = services.segment_create(
            name=options["name"], description=options["description"], project=project,
            constraints=parsed_definitions(CONSTRAINTS, options["constraints"], "constraints"),
            actor=self.actor(options))
        self.stdout.write(f"Created segment {segment.pk} ({segment.name}).")

    def _segments_update(self, options):
        changes = {field: options[field] for field in ("name", "description")
                   if options[field] is not None}
        if options["constraints"] is not None:
            changes["constraints"] = parsed_definitions(CONSTRAINTS, options["constraints"],
                                                        "constraints")
        segment = services.segment_update(segment=selectors.segment_get(options["id"]),
                                          changes=changes,
                                          revision=options["revision"],
                                          actor=self.actor(options))
        self.stdout.write(f"Changed segment {segment.pk} ({segment.name}), now at revision "
                          f"{segment.revision}.")

    def _segments_delete(self, options):
        segment = selectors.segment_get(options["id"])
        services.segment_delete(segment=segment, actor=self.actor(options))
        self.stdout.write(f"Deleted segment {options['id']} ({segment.name}).")

    # -- dependencies ----------------------------------------------------------------------

    def _dependencies_list(self, options):
        flag = selectors.flag_get(options["key"])
        for dependency in flag.dependencies.all():
            wanted = "on" if dependency.enabled else "off"
            variants = f" with {', '.join(dependency.variants)}" if dependency.variants else ""
            self.stdout.write(f"{dependency.parent_key}\t{wanted}{variants}")

    def _dependencies_set(self, options):
        flag = selectors.flag_get(options["key"])
        services.flag_dependency_set(flag=flag, parent_key=options["parent"],
                                     enabled=options["enabled"], variants=options["variant"],
                                     revision=options["revision"], actor=self.actor(options))
        self.stdout.write(f"{flag.key} now depends on {options['parent']}.")

    def _dependencies_remove(self, options):
        flag = selectors.flag_get(options["key"])
        services.flag_dependency_remove(flag=flag, parent_key=options["parent"],
                                        revision=options["revision"], actor=self.actor(options))
        self.stdout.write(f"{flag.key} no longer depends on {options['parent']}.")
