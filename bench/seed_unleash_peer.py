"""Give an unleash-server the same 50 flags `bench/client_api.py` gives T-Minus, through its
admin API, so the two can be measured side by side. See bench/README.md for running the peer.

    python bench/seed_unleash_peer.py http://127.0.0.1:4242 '*:*.peer-admin-token'

Each flag (bench-flag-00 … 49) is on in `production` with a gradual rollout of index * 2 % and a
userWithId strategy limited by two constraints (country, and the plan the T-Minus bench puts in
a segment). Flags that already exist are left as they are. Prints what it did.
"""

import json
import sys
import urllib.error
import urllib.request


def call(base: str, token: str, method: str, path: str, body: dict | None = None) -> int:
    request = urllib.request.Request(
        base.rstrip("/") + path, method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": token, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def seed(base: str, token: str) -> int:
    created = 0
    for index in range(50):
        name = f"bench-flag-{index:02d}"
        if call(base, token, "POST", "/api/admin/projects/default/features",
                {"name": name, "description": "A flag of the benchmark"}) >= 400:
            continue  # already there
        flag_path = f"/api/admin/projects/default/features/{name}/environments/production"
        call(base, token, "POST", flag_path + "/strategies", {
            "name": "flexibleRollout",
            "parameters": {"rollout": str(index * 2), "stickiness": "default", "groupId": name}})
        call(base, token, "POST", flag_path + "/strategies", {
            "name": "userWithId", "parameters": {"userIds": "1,2,3,4,5"},
            "constraints": [
                {"contextName": "country", "operator": "IN", "values": ["NO", "SE", "DK"]},
                {"contextName": "plan", "operator": "IN", "values": ["beta", "pro"]}]})
        call(base, token, "POST", flag_path + "/on")
        created += 1
    return created


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    print(f"created {seed(sys.argv[1], sys.argv[2])} flags")
