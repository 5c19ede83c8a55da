"""What the parts of a plan mean, read the way a release manager reads them.

Table columns by their header cells, who does a task and by when, whether a heading speaks of a
deployment or a rollback, whether a list is a procedure, whether a name is a person's. Pure
Python with no Django import; the mappers decide what becomes a record.
"""

import re
from dataclasses import dataclass

from tminus.plans import markdown

# ---- table columns -----------------------------------------------------------------------------

COLUMNS = {
    # A column is of the first kind whose words its header starts with (or is).
    "version": ("version", "release series", "series", "patch release", "minor version",
                "major version", "monthly patch release", "release train", "train"),
    "quarter": ("quarter", "period", "cycle"),
    "what": ("what", "milestone", "event", "task", "activity", "deliverable", "action",
             "item", "work", "description", "to do", "todo"),
    "who": ("who", "owner", "responsible", "assignee", "assigned", "dri", "lead", "shepherd",
            "release manager", "manager", "by", "team", "poc", "contact"),
    "when": ("when", "date", "dates", "target date", "due", "deadline", "day", "scheduled",
             "planned", "start", "end", "timing", "window", "expected", "actual", "eta",
             "end of life", "eol", "go-live", "go live", "launch", "released", "ga"),
    "week": ("week", "sprint"),
    "status": ("status", "state", "progress", "done", "complete"),
    "stage": ("stage", "phase", "ring", "wave", "step name"),
    "percent": ("%", "percent", "percentage", "users", "audience", "exposure", "traffic",
                "rollout"),
    "metric": ("metric", "kpi", "measure", "indicator", "success criteria", "criterion"),
    "target": ("target", "goal", "threshold", "objective"),
    "baseline": ("baseline", "current", "before"),
    "role": ("role", "position", "function", "area", "discipline"),
    "name": ("name", "person", "people", "member", "team member", "members"),
    "duration": ("duration", "length", "time", "minutes", "estimate"),
    "command": ("command", "script", "how"),
    "flag": ("toggle", "feature toggle", "feature flag", "flag", "flipper", "feature gate"),
}
WHO_WORDS = {"who", "owner", "owners", "lead", "leads", "manager", "shepherd", "responsible",
             "assignee", "dri", "poc", "contact", "contacts", "member", "members", "captain"}
EXACT_ONLY = {"by", "ga", "day", "end", "start", "time", "work", "item", "how"}


def header_text(cell: str) -> str:
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", cell)
    return " ".join(markdown.strip_markup(text).replace("*", "").lower().split())


def column_kind(cell: str) -> str | None:
    """The kind of a column from its header cell ('**Who**' is who, 'Target date' is when)."""
    text = header_text(cell)
    if not text:
        return None
    words_of = set(re.findall(r"[a-z]+", text.split("(")[0]))
    if words_of & WHO_WORDS and not text.startswith(("what", "date", "when", "target")):
        return "who"
    for kind, words in COLUMNS.items():
        for word in words:
            if text == word or (word not in EXACT_ONLY and _starts_with_word(text, word)):
                return kind
    return None


def _starts_with_word(text: str, word: str) -> bool:
    return text.startswith(word) and (len(text) == len(word) or not text[len(word)].isalnum())


# ---- cell and line values ----------------------------------------------------------------------

LINK = re.compile(r"\[([^\]]*)\]\((?:[^()]|\([^)]*\))*\)")
VERSION = re.compile(r"^v?\d+(?:\.(?:\d+|x))+(?:[-.+][0-9A-Za-z.]+)?$", re.I)
PERIOD = re.compile(
    r"^(?:\d{4}[ \t]*(?:Q[1-4]|H[12])|(?:Q[1-4]|H[12])[ \t]*\d{4}|[A-Za-z]{3,9}\.?[ \t]+\d{4})$",
    re.I)
PERCENT = re.compile(r"(?<![\d.])(\d{1,3}(?:\.\d+)?)[ \t]*(?:%|percent\b)", re.I)
VAGUE = re.compile(r"^(?:tbd|tbc|tba|n/?a|none|nobody|\?+|-+|—|searching for (?:a )?volunteers?|"
                   r"volunteer(?:s)? wanted|unassigned|open|x+)$", re.I)


def cell_text(cell: str) -> str:
    """A cell as plain text: links as their text, emphasis and HTML line breaks removed."""
    text = LINK.sub(r"\1", cell).replace("<br>", " ").replace("<br/>", " ")
    return " ".join(markdown.strip_markup(text).replace("**", "").split())


def as_written(text: str) -> str:
    """A task's or milestone's text as written: inline links as their text, bold and italics
    and a trailing colon removed; reference links ('[Code Freeze]') stay as written."""
    text = LINK.sub(r"\1", text)
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])[*_](?!\s)(.+?)(?<!\s)[*_](?![\w*])", r"\1", text)
    return " ".join(text.replace("**", "").split()).strip().rstrip(":").strip()


def is_version(text: str) -> bool:
    return bool(VERSION.match(cell_text(text).strip("`")))


def is_period(text: str) -> bool:
    return bool(PERIOD.match(cell_text(text)))


def percent_in(text: str) -> int | None:
    """The share of users a text gives ('25% of users', '100% at a facility', 'Canary (1%)')."""
    match = PERCENT.search(LINK.sub(r"\1", text))
    if match is None:
        return None
    value = float(match.group(1))
    return int(value) if 0 < value <= 100 and value == int(value) else None


def is_vague(text: str) -> bool:
    """An owner cell that names nobody yet ('TBD', '**searching for volunteer**')."""
    return markdown.is_placeholder(text) or bool(VAGUE.match(cell_text(text)))


# ---- who does a task ---------------------------------------------------------------------------

ROLE_WORDS = {
    "lead", "leads", "manager", "mgr", "owner", "owners", "team", "teams", "engineer",
    "engineers", "engineering", "dev", "devs", "developer", "developers", "devops", "ops",
    "operations", "pm", "po", "qa", "ux", "design", "designer", "product", "support", "comms",
    "communications", "marketing", "docs", "security", "sre", "oncall", "on-call", "on",
    "call", "party", "commander", "incident", "admin", "admins", "administrator", "director",
    "sponsor", "analyst", "architect", "tester", "testers", "reviewer", "submitter",
    "stakeholders", "release", "branch", "notes", "ci", "signal", "bug", "triage",
    "monitoring", "analytics", "program", "project", "customer", "legal", "finance", "sig",
    "vp", "cto", "ceo", "head", "staff", "everyone", "entire", "all", "members", "group",
    "coordinator", "shepherd", "scrum", "master", "dba", "infra", "infrastructure", "platform",
}
NOT_NAMES = {"the", "a", "an", "this", "that", "these", "those", "it", "we", "you", "they",
             "i", "he", "she", "our", "your", "their", "if", "when", "once", "after", "before",
             "then", "and", "or", "but", "all", "any", "each", "every", "no", "not", "yes",
             "other", "new", "see", "note", "please", "make", "check", "tbd", "n/a"}
MODAL = re.compile(r"^(?:will|shall|can|could|should|must|may|needs?[ \t]+to|has[ \t]+to|"
                   r"have[ \t]+to|is[ \t]+to|are[ \t]+to|to)$", re.I)
_PAREN_OWNER = re.compile(r"[ \t]*\((?P<who>[A-Z][A-Za-z0-9&/ .+-]{0,40})\)[ \t]*$")
_AT_OWNER = re.compile(r"(?:^|[ \t(])@(?P<who>[A-Za-z][\w.-]*(?:[ \t]+[A-Z][a-z]+)?)")
_OWNER_FIELD = re.compile(r"\b(?:owner|responsible|assignee|assigned to|who|lead|dri)[ \t]*:"
                          r"[ \t]*(?P<who>[^,;()]+?)(?=[ \t]*(?:[,;()]|$|\bdue\b|\bby\b))", re.I)
_SUFFIX_PART = r"(?:@[\w.-]+|due[ \t]+\d{4}-\d{2}-\d{2}|in progress|blocked|skipped)"
_SUFFIX = re.compile(rf"[ \t]+[\u2014\u2013][ \t]+(?P<rest>{_SUFFIX_PART}"
                     rf"(?:,[ \t]*{_SUFFIX_PART})*)[ \t]*$", re.I)


@dataclass(frozen=True)
class Owner:
    """Who a text says does it, and where that is written (to keep the task's own words)."""

    name: str
    start: int
    end: int


def suffix_of(text: str) -> tuple[str, dict]:
    """Split the ' — @maria, due 2026-03-01, in progress' an export adds to a task back off:
    (the task's own text, {"owner", "due", "status"})."""
    match = _SUFFIX.search(text)
    if match is None:
        return text, {}
    found: dict = {}
    for part in (p.strip() for p in match["rest"].split(",")):
        if part.startswith("@"):
            found["owner"] = part[1:]
        elif part.lower().startswith("due"):
            found["due"] = part.split()[-1]
        else:
            found["status"] = part.lower().replace(" ", "_")
    return text[:match.start()], found


def owner_in(text: str, *, past: bool = False) -> Owner | None:
    """Who a task names as doing it: '(PM)', '@name', 'Owner: X', or the subject of a task
    written in the third person ('Rachael sends …', 'PW will enable …', 'BMT2 to increase …',
    'PM and Engineer monitor …')."""
    plain = as_written(text)
    if match := _OWNER_FIELD.search(plain):
        return _owner(match, plain)
    if (match := _AT_OWNER.search(plain)) and not re.match(
            r"^\w", plain[match.end():match.end() + 1] or " "):
        return _owner(match, plain)
    if (match := _PAREN_OWNER.search(plain)) and _looks_like_party(match["who"]):
        return _owner(match, plain)
    return subject_of(plain, past=past)


def _owner(match: re.Match, text: str) -> Owner | None:
    who = match["who"].strip().rstrip(".")
    if not who or is_vague(who):
        return None
    return Owner(who, match.start("who"), match.end("who"))


def _looks_like_party(words: str) -> bool:
    tokens = words.replace("/", " ").split()
    if not tokens or len(tokens) > 5:
        return False
    if any(t.lower() in ROLE_WORDS for t in tokens) or all(t.isupper() for t in tokens):
        return True
    return is_person_name(words)


_VERB_S = re.compile(r"^[a-z]{3,}(?:s|es)$")
_VERB_PAST = re.compile(r"^(?:[a-z]{3,}ed|sent|made|took|began|wrote|gave|met|ran|did|told|"
                        r"held|led|got|put|set|found|brought|built|spoke|talked|moved|chose)$")
_NOT_VERBS = {"is", "was", "has", "this", "its", "his", "hers", "ours", "yours", "theirs",
              "always", "perhaps", "across", "unless", "towards", "afterwards", "sometimes",
              "besides", "thus", "plus", "via", "us", "does", "as", "less", "process",
              "access", "success", "status", "bonus", "business", "analysis", "basis", "news",
              "issues", "changes", "updates", "notes", "users", "tests", "apps", "series"}
# Instructions start with a verb; a task that starts with one names nobody as its subject.
VERBS = {
    "add", "address", "adjust", "advise", "align", "allow", "announce", "apply", "approve",
    "archive", "ask", "assign", "audit", "back", "backup", "begin", "build", "bump", "call",
    "cancel", "capture", "check", "cherry-pick", "clean", "clear", "close", "coordinate",
    "collect", "commit", "communicate", "complete", "configure", "confirm", "consider", "copy",
    "craft", "create", "cut", "decide", "define", "delete", "deploy", "dial", "disable",
    "disseminate", "do", "document", "download", "draft", "email", "enable", "ensure",
    "escalate", "establish", "execute", "export", "file", "finalize", "finish", "fix",
    "follow", "gather", "generate", "get", "go", "hand", "have", "hold", "identify",
    "implement", "import", "inform", "inspect", "install", "invite", "kick", "launch", "let",
    "log", "login", "make", "mark", "merge", "migrate", "monitor", "move", "navigate", "notify",
    "open", "organize", "perform", "plan", "post", "prepare", "present", "proofread",
    "publish", "pull", "push", "put", "raise", "read", "rebase", "record", "redeploy",
    "release", "remove", "rename", "repeat", "replace", "report", "request", "require",
    "reset", "resolve", "restart", "restore", "retire", "review", "revert", "roll", "rollback",
    "run", "schedule", "select", "send", "set", "share", "ship", "sign", "smoke", "start",
    "stay", "stop", "submit", "switch", "tag", "tail", "take", "test", "tell", "track",
    "train", "trigger", "turn", "tweet", "update", "upgrade", "upload", "use", "validate",
    "verify", "wait", "watch", "write",
}


def subject_of(text: str, *, past: bool = False) -> Owner | None:
    """The party a third-person task starts with, or None (an instruction or a statement).
    With `past`, a record of what happened ('Aubrey sent out email …') names its party too;
    a task in the past tense ('Training completed') only states where it stands."""
    text = re.sub(r"^(?:\[[ xX]\][ \t]*)?", "", text)
    words = re.findall(r"\S+", text)
    if len(words) < 2 or not _party_start(words[0]) or words[0].lower() in VERBS:
        return None
    for index in range(1, min(len(words), 6)):
        word = words[index].strip(",;:")
        lowered = word.lower()
        party = words[:index]
        if MODAL.match(word) or MODAL.match(" ".join(w.lower() for w in words[index:index + 2])):
            return _subject(text, party) if lowered != "to" or _strong(party) else None
        if word.islower() and _VERB_S.match(word) and lowered not in _NOT_VERBS:
            # 'Training materials prepared': a plural noun and its participle state where
            # something stands; nobody is named.
            return None if _participle_follows(words, index) else _subject(text, party)
        if word.islower() and _VERB_PAST.match(word):
            return _subject(text, party) if past and _strong(party) else None
        if (word.islower() and index >= 2 and lowered not in NOT_NAMES
                and party[-1].lower() not in ("and", "&")
                and any(w.lower() in ("and", "&") for w in party)):
            return _subject(text, party)  # 'PM and Engineer monitor'
        if (lowered in NOT_NAMES and lowered not in ("and", "&")) or not _party_word(word):
            return None
    return None


def _participle_follows(words: list[str], index: int) -> bool:
    following = words[index + 1].strip(",;:") if index + 1 < len(words) else ""
    return following.islower() and bool(_VERB_PAST.match(following))


def _strong(words: list[str]) -> bool:
    """A subject that surely names a party: a team or role word, an acronym, a full name."""
    joined = " ".join(words)
    return (any(w.lower() in ROLE_WORDS or w.isupper() or any(c.isdigit() for c in w)
                for w in words) or (is_person_name(joined) and len(words) >= 1
                                    and joined.lower() not in VERBS))


def _party_start(word: str) -> bool:
    word = word.strip(",;:")
    return bool(word) and word[0].isupper() and word.lower() not in NOT_NAMES \
        and not word.endswith(":")


def _party_word(word: str) -> bool:
    lowered = word.lower()
    return word[:1].isupper() or lowered in ROLE_WORDS or lowered in ("and", "&", "of", "/") \
        or (word.isalpha() and word.islower() and lowered not in VERBS and len(word) <= 8)


def _subject(text: str, words: list[str]) -> Owner | None:
    who = " ".join(words).strip(",;:")
    if who.lower() in NOT_NAMES or is_vague(who):
        return None
    return Owner(who, 0, len(who))


# ---- people ------------------------------------------------------------------------------------

_NAME = re.compile(r"^[A-Z][a-zà-ÿ'\u2019-]+(?:[ \t]+(?:van|von|de|der|den|da|del|la|le|di|bin|al)"
                   r")*(?:[ \t]+[A-Z][A-Za-zà-ÿ'\u2019-]*\.?){0,3}$")


def is_person_name(text: str, *, lenient: bool = False) -> bool:
    """A person's name ('Rachael Roueche', 'Otto van der Schaaf', 'Ben S', 'Gina'), not a role
    or a team ('Release Lead', 'BMT2', 'DevOps on call'). Where only names are expected (a
    roster's cells), `lenient` also takes a surname written in lower case ('Matt knight')."""
    text = text.strip().rstrip("?*").strip()
    if lenient and re.match(r"^[A-Z][a-z'\u2019-]+[ \t]+[a-z][a-z'\u2019-]+$", text):
        text = text.split()[0] + " " + text.split()[1].title()
    if not _NAME.match(text) or len([w for w in text.split() if w[:1].isupper()]) > 3:
        return False
    words = text.split()
    return not any(w.lower().strip(".") in ROLE_WORDS | NOT_NAMES for w in words) and \
        not any(w.isupper() and len(w) > 1 for w in words)


_CONTACT = re.compile(r"[ \t]*(?:\([^)]*\)|<[^>]*>|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|`[^`]*`)")


def names_in(text: str, *, lenient: bool = False) -> list[str]:
    """The people a cell or list item names: 'Chris Privitere ([@cprivitere](…))', 'POC: Rachael
    Roueche (email)', 'Evan, Robin', 'Andy Lewandowski Jeff Barnes' are all people."""
    text = cell_text(re.sub(r"<br\s*/?>", ";", text))
    text = re.sub(r"^(?:poc|lead|owner|contact|primary|secondary|backup)[ \t]*:[ \t]*", "", text,
                  flags=re.I)
    text = _CONTACT.sub(" ", text)
    found = []
    for part in re.split(r"[ \t]*(?:,|;|/|&|\band\b|<br/?>)[ \t]*", text):
        part = part.strip().rstrip("?*:").strip()
        if run := _run_of_names(part):
            found += run
        elif is_person_name(part, lenient=lenient):
            found.append(part)
    return found


def _run_of_names(text: str) -> list[str]:
    """'Steve Kovacs Lauren Alexanderson Rachael Roueche' written on one line: pairs of names."""
    words = text.split()
    if len(words) < 4 or len(words) % 2 or not all(_NAME.match(w) for w in words):
        return []
    pairs = [" ".join(words[i:i + 2]) for i in range(0, len(words), 2)]
    return pairs if all(is_person_name(p) for p in pairs) else []


# ---- headings ------------------------------------------------------------------------------

DEPLOY = re.compile(
    r"\bdeploy\w*|\bcut-?over|\bmigrat\w*|\bgo-?live (?:day|steps|procedure|runbook)|"
    r"\brunbook|\brelease (?:process|procedure|steps|checklist|day|execution)|"
    r"\b(?:cut(?:ting)?|execut\w*|ship(?:ping)?|publish\w*|tag(?:ging)?|prepar\w*|do(?:ing)?|"
    r"mak\w*)\b[^.]{0,30}\brelease\b|\brelease\b[^.]{0,20}\bprepar\w*|"
    r"\b(?:before|after) the release\b|\bpre-?release\b|\bpost-?release\b|"
    r"\bhow to (?:release|deploy|ship)|\binstallation steps\b|\bupgrade steps\b", re.I)
# Boxes are a checklist unless the heading names the procedure itself.
PROCEDURE = re.compile(
    r"\brunbook|\bcut-?over\b|\bdeploy\w* (?:execution|steps|procedure|process|runbook)|"
    r"\brelease (?:checklist|process|procedure|steps|execution)|\bhow to (?:release|deploy|ship)|"
    r"\b(?:cut(?:ting)?|execut\w*) (?:a |an |the )?(?:\w+ )?release\b|"
    r"\binstallation steps\b|\bupgrade steps\b", re.I)
ROLLBACK = re.compile(r"\broll-?(?:ing)?[ \t]?back\b|\brollback\b|\brevert\w*\b|\bback-?out\b",
                      re.I)
GO_NO_GO = re.compile(r"go[ \t]*/?[ \t]*no[- \t]*go|go-?live (?:criteria|readiness)|"
                      r"readiness (?:criteria|checklist|review)|launch criteria|"
                      r"exit criteria|entry criteria|gate\b", re.I)
CRITERIA = re.compile(r"criteria|conditions|triggers?|when to roll|signals", re.I)


def means_procedure(title: str) -> bool:
    return bool(DEPLOY.search(markdown.strip_markup(title)))


def names_procedure(title: str) -> bool:
    return bool(PROCEDURE.search(markdown.strip_markup(title)))


def means_rollback(title: str) -> bool:
    return bool(ROLLBACK.search(markdown.strip_markup(title)))


# ---- lists of steps ------------------------------------------------------------------------

def is_imperative(text: str) -> bool:
    """Whether a list item reads as an instruction ('Deploy to staging', 'Check …')."""
    words = re.findall(r"[A-Za-z][A-Za-z'-]*", as_written(text))
    return bool(words) and words[0].lower() in VERBS


def is_link_list(texts: list[str]) -> bool:
    """A table of contents or a list of links: most items are only a link."""
    links = sum(1 for t in texts if re.match(r"^\s*\[[^\]]*\]\([^)]*\)\s*[-:(]?", t.strip()))
    return bool(texts) and links * 2 > len(texts)


def is_field_list(texts: list[str]) -> bool:
    """'Organization: `gsa`', 'Spaces: dev' … a list of settings, not steps."""
    fields = sum(1 for t in texts if len(markdown.fields_in(t)) == 1
                 and len(markdown.fields_in(t)[0].key.split()) <= 3
                 and markdown.fields_in(t)[0].value)
    return bool(texts) and fields * 2 > len(texts)
