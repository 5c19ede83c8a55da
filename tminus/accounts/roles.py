"""Roles and what each may do. One table, read by every view, endpoint and service."""

ADMIN = "admin"
RELEASE_MANAGER = "release_manager"
CONTRIBUTOR = "contributor"
VIEWER = "viewer"

ROLE_CHOICES = [
    (ADMIN, "Admin"),
    (RELEASE_MANAGER, "Release manager"),
    (CONTRIBUTOR, "Contributor"),
    (VIEWER, "Viewer"),
]

# Capabilities, from least to most.
VIEW = "view"  # read every plan
CONTRIBUTE = "contribute"  # edit checklists and scope
MANAGE = "manage"  # create and run releases and products
ADMINISTER = "administer"  # people, tokens of others, overrides

CAPABILITIES = {
    VIEWER: {VIEW},
    CONTRIBUTOR: {VIEW, CONTRIBUTE},
    RELEASE_MANAGER: {VIEW, CONTRIBUTE, MANAGE},
    ADMIN: {VIEW, CONTRIBUTE, MANAGE, ADMINISTER},
}
