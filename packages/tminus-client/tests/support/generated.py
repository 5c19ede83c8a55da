"""Randomly generated flag states and contexts, for comparing engines on many inputs.

Only deterministic situations are generated: every context carries the fields that stickiness
and date constraints read, so no answer depends on a coin toss or on the clock.
"""

import random
from typing import Any

COUNTRIES = ["NO", "SE", "DK", "FI", "DE", "no"]
PLANS = ["free", "pro", "Enterprise", "pro-trial"]
VERSIONS = ["1.0.0", "1.2.3", "2.0.0-alpha.1", "2.0.0-beta", "2.0.0", "10.1.0", "junk"]
EMAILS = ["ann@example.com", "bob@Example.COM", "eve@test.org", "x@y"]
ADDRESSES = ["10.1.2.3", "192.168.0.7", "172.16.5.4", "2001:db8::42", "not-an-ip"]
TIMES = ["2024-01-01T00:00:00Z", "2025-06-15T12:00:00+02:00", "2026-12-31T23:59:59Z"]
STICKINESS = ["default", "userId", "sessionId", "tenant"]


class StateGenerator:
    """Builds a features state and contexts from a seeded random source."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def state(self, flag_count: int) -> dict[str, Any]:
        segments = [{"id": i, "constraints": [self.constraint()]} for i in range(1, 4)]
        features = [self.feature(f"flag-{i}", segments) for i in range(flag_count)]
        parents = [f for f in features if not f.get("dependencies")]
        for child in self.rng.sample(features, k=flag_count // 5):
            if child not in parents[:3]:
                child["dependencies"] = [self.dependency(self.rng.choice(parents[:3]))]
        return {"version": 2, "features": features, "segments": segments}

    def feature(self, name: str, segments: list[dict]) -> dict[str, Any]:
        strategies = [self.strategy(segments) for _ in range(self.rng.randint(0, 3))]
        feature = {
            "name": name,
            "enabled": self.rng.random() < 0.9,
            "strategies": strategies,
            "variants": self.variants(feature_level=True),
        }
        return feature

    def strategy(self, segments: list[dict]) -> dict[str, Any]:
        kind = self.rng.choice(
            ["flexibleRollout", "flexibleRollout", "userWithId", "gradualRolloutUserId",
             "gradualRolloutSessionId", "remoteAddress", "default"]
        )
        strategy: dict[str, Any] = {"name": kind, "parameters": self.parameters(kind)}
        strategy["constraints"] = [self.constraint() for _ in range(self.rng.randint(0, 2))]
        if self.rng.random() < 0.2:
            strategy["segments"] = [self.rng.choice(segments)["id"]]
        if kind == "flexibleRollout" and self.rng.random() < 0.4:
            strategy["variants"] = self.variants(feature_level=False)
        return strategy

    def parameters(self, kind: str) -> dict[str, str]:
        percent = str(self.rng.choice([0, 1, 5, 10, 33, 50, 90, 100]))
        group = self.rng.choice(["checkout", "search", "Feature.X", "ÆØÅ-group"])
        if kind == "flexibleRollout":
            parameters = {"rollout": percent, "stickiness": self.rng.choice(STICKINESS)}
            if self.rng.random() < 0.7:
                parameters["groupId"] = group
            return parameters
        if kind.startswith("gradualRollout"):
            return {"percentage": percent, "groupId": group}
        if kind == "userWithId":
            return {"userIds": ", ".join(self.rng.sample(self.user_ids(), k=5))}
        if kind == "remoteAddress":
            return {"IPs": self.rng.choice(["10.0.0.0/8, 192.168.0.7", "172.16.0.0/12",
                                            "2001:db8::/32, junk", "10.1.2.3"])}
        return {}

    def constraint(self) -> dict[str, Any]:
        field, operator, values = self.rng.choice(self._constraint_shapes())
        constraint: dict[str, Any] = {"contextName": field, "operator": operator}
        if isinstance(values, list):
            constraint["values"] = values
        else:
            constraint["value"] = values
        if self.rng.random() < 0.2:
            constraint["inverted"] = True
        if self.rng.random() < 0.3:
            constraint["caseInsensitive"] = True
        return constraint

    def _constraint_shapes(self) -> list[tuple[str, str, Any]]:
        rng = self.rng
        return [
            ("country", "IN", rng.sample(COUNTRIES, k=2)),
            ("country", "NOT_IN", rng.sample(COUNTRIES, k=2)),
            ("environment", "IN", ["production", "staging"]),
            ("plan", "STR_STARTS_WITH", ["pro", "ENT"]),
            ("email", "STR_ENDS_WITH", ["@example.com"]),
            ("email", "STR_CONTAINS", ["test", "EXAMPLE"]),
            ("age", "NUM_GT", str(rng.choice([18, 21, 65]))),
            ("age", "NUM_LTE", str(rng.choice([18, 21.5, 65]))),
            ("age", "NUM_EQ", "30"),
            ("currentTime", "DATE_AFTER", "2025-01-01T00:00:00Z"),
            ("currentTime", "DATE_BEFORE", "2026-01-01T00:00:00.000+01:00"),
            ("version", "SEMVER_GT", "1.2.3"),
            ("version", "SEMVER_LT", "2.0.0"),
            ("version", "SEMVER_EQ", "2.0.0-beta"),
            ("remoteAddress", "IN_CIDR", ["10.0.0.0/8", "2001:db8::/32"]),
            ("email", "REGEX", r"^[a-z]+@example\.com$"),
            ("userId", "REGEX", r"^user-\d*7$"),
        ]

    def variants(self, *, feature_level: bool) -> list[dict[str, Any]]:
        count = self.rng.choice([0, 1, 2, 3, 4])
        # Not userId: contexts may lack it, and a variant draw without its field is random.
        stickiness = self.rng.choice(["default", "default", "sessionId", "tenant"])
        variants = []
        for index in range(count):
            variant: dict[str, Any] = {
                "name": f"v{index}",
                "weight": self.rng.choice([0, 1, 50, 100, 333, 500]),
                "payload": {"type": "string", "value": f"value-{index}"},
            }
            if feature_level:
                variant["stickiness"] = stickiness
                if self.rng.random() < 0.2:
                    variant["overrides"] = [{"contextName": "userId", "values": ["user-7"]}]
            variants.append(variant)
        if variants and not any(variant["weight"] for variant in variants):
            variants[0]["weight"] = 1
        return variants

    def dependency(self, parent: dict[str, Any]) -> dict[str, Any]:
        dependency: dict[str, Any] = {"feature": parent["name"]}
        choice = self.rng.random()
        if choice < 0.3:
            dependency["enabled"] = False
        elif choice < 0.6 and parent["variants"]:
            names = [v["name"] for v in parent["variants"]]
            dependency["variants"] = self.rng.sample(names, k=1)
        return dependency

    def context(self) -> dict[str, Any]:
        rng = self.rng
        context: dict[str, Any] = {
            "sessionId": f"session-{rng.randint(0, 10_000)}",
            "currentTime": rng.choice(TIMES),
            "properties": {
                "tenant": f"tenant-{rng.randint(0, 500)}",
                "country": rng.choice(COUNTRIES),
                "plan": rng.choice(PLANS),
                "email": rng.choice(EMAILS),
                "age": rng.choice(["17", "18", "30", "30.0", "65", "x"]),
                "version": rng.choice(VERSIONS),
            },
        }
        if rng.random() < 0.85:
            context["userId"] = rng.choice(self.user_ids())
        if rng.random() < 0.7:
            context["remoteAddress"] = rng.choice(ADDRESSES)
        if rng.random() < 0.5:
            context["environment"] = rng.choice(["production", "staging", "dev"])
        return context

    def user_ids(self) -> list[str]:
        return [f"user-{i}" for i in range(40)]
