"""The audit log in words: what each action means, the record it concerns (with a link while
the record exists) and its details summarised for people, in the reader's language.

The entries keep their stable codes ("children.child.updated"); this module only reads them.
core imports no domain app: models are found through the app registry and pages through
their URL names.
"""

import functools

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# Every action the system writes, in words. An action missing here still reads in words
# (the record's name and the verb, see `describe`), and the completeness test lists it.
ACTIONS = {
    "auth.login": _("logged in"),
    "auth.logout": _("logged out"),
    "auth.login_failed": _("failed login"),
    "auth.token_issued": _("API token issued"),
    "auth.two_factor_failed": _("wrong two-factor code"),
    "auth.recovery_code_used": _("logged in with a recovery code"),
    "auth.session_ended": _("session ended by its time limit"),
    "core.audit.retention": _("dropped the audit log's months past its retention"),
    "people.apitoken.revoked": _("API token revoked"),
    "people.user.created": _("created an account"),
    "people.user.updated": _("changed an account"),
    "people.user.password_set": _("set an account's password"),
    "people.user.password_changed": _("changed own password"),
    "people.user.two_factor_enrolled": _("set up two-factor login"),
    "people.user.recovery_codes_renewed": _("made new recovery codes"),
    "people.user.two_factor_reset": _("two-factor reset"),
    "people.responsibilitypost.created": _("filled a post of the responsibility matrix"),
    "people.responsibilitypost.updated": _("changed a post of the responsibility matrix"),
    "areas.servicepoint.created": _("opened a service point"),
    "areas.servicepoint.updated": _("changed a service point"),
    "areas.divisions.loaded": _("loaded the administrative divisions"),
    "core.keys.rotated": _("re-encrypted identity numbers under the newest key"),
    "core.database.backed_up": _("backed up the database"),
    "core.database.restored": _("restored the database from a backup"),
    "jobs.job.retried": _("sent failed background work back to the queue"),
    "jobs.job.dismissed": _("dismissed failed background work"),
    "children.child.created": _("registered a child"),
    "children.child.updated": _("changed a child's record"),
    "children.child.read": _("read a child's record"),
    "children.child.exported": _("exported the roster"),
    "children.child.imported": _("imported children from Excel"),
    "children.child.closed": _("closed a child's record"),
    "children.child.reopened": _("reopened a child's record"),
    "children.child.reclassified": _("classified a child again"),
    "children.child.care_level_set": _("set a child's care level by hand"),
    "children.child.transferred": _("transferred a child to another village"),
    "children.child.transferred_out": _("handed a child over to another village"),
    "registry.duplicates.listed": _("listed likely duplicate records"),
    "registry.distinctpair.created": _("marked two alike records as two children"),
    "registry.child.merged": _("merged two records of one child"),
    "registry.transfer.proposed": _("proposed handing a child over to another county"),
    "registry.transfer.incoming": _("a child is being handed over from another county"),
    "registry.transfer.read": _("read a child's particulars to decide on a handover"),
    "registry.transfer.listed": _("listed handovers between counties"),
    "registry.transfer.accepted": _("accepted the handover of a child"),
    "registry.transfer.declined": _("declined the handover of a child"),
    "children.child.concern_raised": _("raised a concern about a child"),
    "children.child.basis_recorded": _(
        "recorded the guardian's consent or the legal basis for processing a child's data"
    ),
    "children.concern.opened": _("opened a concern about a child"),
    "children.concern.read": _("read a concern"),
    "children.concern.take_action": _("recorded action taken on a concern"),
    "children.concern.resolve": _("resolved a concern"),
    "children.concern.refer": _("referred a concern"),
    "children.concern.confirm": _("confirmed the closing of a concern"),
    "children.concern.send_back": _("sent a concern back"),
    "children.concern.record_report": _("recorded the report made for a concern"),
    "children.concern.reassign": _("gave a concern to another owner"),
    "children.concern.escalated": _("escalated a concern past its due date"),
    "children.import.queued": _("roster import waiting"),
    "children.import.checking": _("roster import being checked"),
    "children.import.invalid": _("roster import checked: errors found, nothing saved"),
    "children.import.valid": _("roster import checked: ready to save"),
    "children.import.saving": _("roster import being saved"),
    "children.import.saved": _("roster import saved"),
    "children.import.failed": _("roster import failed: nothing saved"),
    "children.import.expired": _("roster import expired"),
    "children.import.refused": _("roster upload refused before it was read"),
    "care.visit.created": _("recorded a visit"),
    "care.visit.updated": _("corrected a visit"),
    "care.visit.read": _("read a visit"),
    "care.photo.added": _("added a photo"),
    "care.photo.read": _("looked at a photo"),
    "care.activity.created": _("recorded a weekly activity"),
    "care.activity.updated": _("corrected a weekly activity"),
    "outbox.submission.received": _("received a record sent from a phone's outbox"),
    "care.notification.read": _("marked notifications as read"),
    "care.notification.preferences": _("changed notification preferences"),
    "care.daily.run": _("daily reminders of due visits sent"),
    "relief.programme.created": _("added a relief programme"),
    "relief.programme.updated": _("changed a relief programme"),
    "relief.catalogue.loaded": _("created the catalogue of relief programmes"),
    "relief.measure.created": _("added a relief measure"),
    "relief.measure.updated": _("changed a relief measure"),
    "relief.contact.created": _("added an assistance contact"),
    "relief.contact.updated": _("changed an assistance contact"),
    "relief.contact.ended": _("ended an assistance contact"),
    "applications.application.opened": _("opened an application for a benefit"),
    "applications.application.checked": _("checked an application for a benefit"),
    "applications.application.decided": _("decided an application for a benefit"),
    "applications.application.withdrawn": _("withdrew an application for a benefit"),
    "applications.application.escalated": _("escalated an overdue application"),
    "applications.application.read": _("read an application for a benefit"),
    "applications.application.listed": _("listed applications for benefits"),
    "applications.document.added": _("attached a document to an application"),
    "applications.document.read": _("read a document of an application"),
    "applications.stop.opened": _("opened the stop of a benefit"),
    "applications.stop.decided": _("decided the stop of a benefit"),
    "round.open": _("opened a quarterly round"),
    "round.close": _("closed a quarterly round"),
    "round.check": _("checked a child in a round"),
    "round.uncheck": _("took back a child's check in a round"),
    "round.submit": _("submitted a village's return"),
    "round.approve": _("approved a village's return"),
    "round.return": _("returned a village's return for correction"),
    "round.township_submit": _("submitted a township's summary"),
    "round.township_send_back": _("sent a township's summary back"),
    "social.organisation.created": _("added a social organisation"),
    "social.organisation.updated": _("changed a social organisation"),
    "social.helper.updated": _("changed a helper's profile"),
    "social.pairing.created": _("paired a helper with a child"),
    "social.pairing.ended": _("ended a pairing"),
    "social.service.created": _("recorded a service to a child"),
    "concerns.report.received": _("received a report of concern"),
    "concerns.report.read": _("read a report of concern"),
    "concerns.report.linked": _("linked a report of concern to a child"),
    "concerns.report.advanced": _("moved a report of concern on"),
    "concerns.report.escalated": _("escalated an overdue report of concern to the county"),
    "concerns.report_summary.exported": _("exported a summary of reports of concern"),
    "concerns.change.recorded": _("recorded a change in a child's situation"),
    "referrals.referral.made": _("referred a child"),
    "referrals.referral.read": _("read a referral"),
    "referrals.referral.answered": _("recorded the answer to a referral"),
    "referrals.referral.withdrawn": _("withdrew a referral"),
    "referrals.referral.escalated": _("escalated a referral not answered in time"),
    "villagefiles.file.exported": _("downloaded a village file"),
    "stats.report.exported": _("downloaded a statistical report"),
    "jobs.file.downloaded": _("downloaded a file made in the background"),
    "jobs.reencrypt.started": _("started the re-encryption of identity numbers"),
    "demo.seeded": _("loaded the demo data"),
    # Reads of many records (core.audit.log_read): the query, how many, which.
    "children.child.listed": _("listed children"),
    "children.concern.listed": _("listed concerns"),
    "care.visit.listed": _("listed visits"),
    "care.activity.listed": _("listed weekly activities"),
    "care.worklist.listed": _("read a worklist of children to visit"),
    "care.compliance.listed": _("listed the children behind a compliance figure"),
    "relief.measure.listed": _("listed relief measures"),
    "relief.contact.listed": _("listed assistance contacts"),
    "rounds.return.listed": _("listed village returns"),
    "social.pairing.listed": _("listed pairings"),
    "social.service.listed": _("listed services to children"),
    "concerns.report.listed": _("listed reports of concern"),
    "referrals.referral.listed": _("listed referrals"),
    "referrals.case_plan.read": _("read a child's case plan"),
    "villagefiles.file.read": _("read a village file"),
    "stats.figure.listed": _("listed the records behind a figure"),
    "core.reads.limited": _("refused: too many records read in an hour"),
}

# Verbs of actions not in the table: "<record> · <verb>".
VERBS = {
    "created": _("created"),
    "updated": _("updated"),
    "deleted": _("deleted"),
    "read": _("read"),
    "exported": _("exported"),
    "imported": _("imported"),
    "loaded": _("loaded"),
}

# Where a record's page is, by its model: (URL name, attribute giving the argument).
LINKS = {
    "children.child": ("children:detail", "pk"),
    "children.importjob": ("children:import_job", "pk"),
    "care.visit": ("care:visit_detail", "pk"),
    "rounds.round": ("rounds:detail", "pk"),
    "rounds.villagereturn": ("rounds:return", "pk"),
    "concerns.concernreport": ("concerns:detail", "pk"),
    "referrals.referral": ("referrals:detail", "pk"),
    "relief.reliefmeasure": ("relief:measure_history", "pk"),
    "applications.application": ("applications:detail", "pk"),
    "people.user": ("people:person_detail", "pk"),
    "areas.area": ("people:area_detail", "code"),
}

# Detail keys that are not fields of the entry's record, in words.
KEYS = {
    "format": _("format"),
    "count": _("records"),
    "rows": _("rows"),
    "rows_with_errors": _("rows with errors"),
    "saved": _("saved"),
    "filters": _("filters"),
    "full_id": _("full identity numbers"),
    "via": _("through"),
    "username": _("username tried"),
    "comment": _("comment"),
    "reason": _("reason"),
    "note": _("note"),
    "child": _("child"),
    "return": _("return"),
    "outcome": _("outcome"),
    "quarter": _("quarter"),
    "due_on": _("due on"),
    "filename": _("file"),
    "size": _("size (bytes)"),
    "file_error": _("problem"),
    "title": _("title"),
    "year": _("year"),
    "round": _("round"),
    "level": _("level"),
    "villages": _("villages"),
    "source_ref": _("source record"),
    "from": _("from"),
    "to": _("to"),
    "until": _("until"),
    "report": _("report"),
    "before": _("before"),
    "after": _("after"),
    "findings": _("findings"),
    "children": _("children"),
    "helpers": _("helpers"),
    "theme": _("theme"),
    "day": _("day"),
    "due": _("due reminders"),
    "overdue": _("overdue reminders"),
    "escalated": _("escalations"),
    "notifications": _("notifications"),
    "county": _("county"),
    "created": _("created"),
    "renamed": _("renamed"),
    "codes": _("programmes"),
    "programme_name": _("programme"),
    "scale": _("scale"),
    "seed": _("seed"),
    "fields": _("fields"),
    "query": _("query"),
    "total": _("matching records"),
    "purpose": _("purpose"),
    "records": _("records read this hour"),
    "limit": _("limit"),
    "path": _("page"),
    "full_phone": _("full phone numbers"),
    "exported_by": _("exported by"),
    # A list's query parameters (the roster's and the API's filter names).
    "q": _("search"),
    "page": _("page number"),
    "page_size": _("page size"),
    "area": _("area"),
    "status": _("status"),
    "state": _("state"),
    "care_level": _("care level"),
    "category": _("category"),
    "order": _("order"),
    "ordering": _("order"),
    "sex": _("sex"),
    "age": _("age"),
    "schooling": _("schooling"),
    "village_group": _("village group"),
    "registered": _("registered"),
    "closed": _("closed"),
    "kind": _("kind"),
}
# Keys left out of the summary: lists of ids (the count says how many).
SKIPPED = {"ids", "read"}  # "read" repeats the count for the read budget
# Lists summarised by their length: the children at an activity, the programmes created.
COUNTED = {"codes", "children", "helpers"}
VALUES = {
    "page": pgettext_lazy("audit: through", "the page"),
    "api": pgettext_lazy("audit: through", "the API"),
    "admin": pgettext_lazy("audit: through", "the administration site"),
    "xlsx": "Excel",
    "csv": "CSV",
    "pdf": "PDF",
    "all": _("all"),
    "open": _("open"),
    "overdue": _("overdue"),
    # Why a session ended (auth.session_ended).
    "idle": _("inactive too long"),
    "lifetime": _("logged in too long ago"),
}
# Parts of a changed field's name: "father.status" is the father's status.
RELATED = {
    "father": ("children", "parent", _("father")),
    "mother": ("children", "parent", _("mother")),
    "caregiver": ("children", "caregiver", _("caregiver")),
}
# Values whose meaning is a care level (a change of situation's before and after).
CARE_LEVEL_KEYS = {"before", "after"}


# A workflow step's states, read through the record's own `state` choices.
STATE_KEYS = {"from", "to"}
# The child's fields a concern's step changes (kept in the concern's audit entry).
CHILD_KEYS = {"risk", "needs_report", "care_level", "computed_care_level", "report_reason"}


def _model(label: str):
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def describe(action: str) -> str:
    """An action in words: the table's, or the record's name and the verb."""
    if action in ACTIONS:
        return str(ACTIONS[action])
    parts = action.split(".")
    verb = VERBS.get(parts[-1])
    model = _model(".".join(parts[:2])) if len(parts) == 3 else None
    if verb is not None and model is not None:
        return f"{model._meta.verbose_name} · {verb}"
    return str(_("other action"))


def action_choices():
    """The actions of the table, in words, sorted as the reader reads them."""
    return sorted(((code, str(text)) for code, text in ACTIONS.items()), key=lambda c: c[1])


def _field(model, name: str):
    """A model field by name (or None), and its label."""
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _plain(value) -> str:
    if value in (None, "", [], {}):
        return "—"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, list | tuple):
        return "、".join(_plain(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_plain(v)}" for k, v in value.items())
    text = str(VALUES.get(value, value)) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _shown(field, value) -> str:
    """A recorded value as the record's page shows it: choices by their label."""
    if field is not None and getattr(field, "choices", None):
        labels = dict(field.flatchoices)
        if isinstance(value, list):
            return "、".join(str(labels.get(v, v)) for v in value)
        if value in labels:
            return str(labels[value])
    return _plain(value)


def _resolve(model, name: str):
    """The label and field of a detail's key: a field of the record (or of its father,
    mother or caregiver), else the table's word for it."""
    prefix, _dot, field_name = name.rpartition(".")
    if prefix in RELATED:
        app, model_name, who = RELATED[prefix]
        field = _field(_model(f"{app}.{model_name}"), field_name)
        label = field.verbose_name if field is not None else KEYS.get(field_name, field_name)
        return f"{who}·{label}", field
    field = _field(model, name)
    if field is not None:
        # A related record's id is shown as it was recorded (the label says what it is).
        return str(field.verbose_name), None if field.is_relation else field
    if name in CARE_LEVEL_KEYS:
        return str(KEYS[name]), _field(_model("children.child"), "care_level")
    if name in STATE_KEYS and _field(model, "state") is not None:
        # A step's "from" and "to" are states of the record (a concern's, a report's).
        return str(KEYS[name]), _field(model, "state")
    if name in CHILD_KEYS:
        # A step that changed the child records the child's fields (its concern summary).
        field = _field(_model("children.child"), name)
        if field is not None:
            return str(field.verbose_name), field
    return str(KEYS.get(name, name)), None


@functools.cache
def _choice_labels() -> dict:
    """Every code of the project's choice fields → its label (the first one found), to read
    a list's query (`?care_level=special`) in words."""
    base = str(settings.BASE_DIR)
    labels = {}
    for config in apps.get_app_configs():
        if not str(config.path).startswith(base):
            continue
        for model in config.get_models():
            for field in model._meta.get_fields():
                for code, label in getattr(field, "flatchoices", None) or []:
                    if isinstance(code, str) and code:
                        labels.setdefault(code, label)
    return labels


def _query_value(value) -> str:
    """A query parameter's value in words: a choice's label, else as typed."""
    if isinstance(value, list):
        return "、".join(_query_value(v) for v in value)
    if isinstance(value, str) and value not in VALUES and value in _choice_labels():
        return _plain(str(_choice_labels()[value]))
    return _plain(value)


def summarise(entry) -> str:
    """An entry's details in words: "field: before → after; …", "records: 12", "format:
    Excel"; lists of ids are counted, not listed."""
    data = entry.data if isinstance(entry.data, dict) else {}
    model = _model(entry.object_type) if entry.object_type else None
    parts = []
    for name, change in (data.get("changes") or {}).items():
        if isinstance(change, list | tuple) and len(change) == 2:
            label, field = _resolve(model, name)
            parts.append(f"{label}: {_shown(field, change[0])} → {_shown(field, change[1])}")
    for key, value in data.items():
        if key == "changes" or key in SKIPPED:
            continue
        if key == "fields":
            if isinstance(value, dict):
                for name, recorded in value.items():
                    label, field = _resolve(model, name)
                    parts.append(f"{label}: {_shown(field, recorded)}")
            elif isinstance(value, list):
                names = "、".join(_resolve(model, n)[0] for n in value)
                parts.append(f"{KEYS['fields']}: {names}")
            continue
        if key in ("filters", "query") and isinstance(value, dict):
            shown = "; ".join(f"{KEYS.get(k, k)}={_query_value(v)}" for k, v in value.items())
            parts.append(f"{KEYS[key]}: {shown or '—'}")
            continue
        label, field = _resolve(model, key)
        if key in COUNTED and isinstance(value, list):
            parts.append(f"{label}: {len(value)}")
        else:
            parts.append(f"{label}: {_shown(field, value)}")
    return "; ".join(parts)


def links(entries) -> dict[int, str]:
    """Entry id → the page of the record it concerns, for records that still exist: one
    query per kind of record on the page."""
    wanted: dict[str, dict[str, list]] = {}
    for entry in entries:
        if entry.object_type in LINKS and entry.object_id:
            wanted.setdefault(entry.object_type, {}).setdefault(entry.object_id, []).append(entry)
    found = {}
    for label, by_id in wanted.items():
        model = _model(label)
        if model is None:
            continue
        url_name, attribute = LINKS[label]
        try:
            existing = model._default_manager.filter(pk__in=list(by_id)).values_list(
                "pk", attribute
            )
            rows = list(existing)
        except (ValueError, TypeError):  # an id of the wrong form for this model
            continue
        for pk, argument in rows:
            try:
                url = reverse(url_name, args=[argument])
            except NoReverseMatch:
                continue
            for entry in by_id.get(str(pk), []):
                found[entry.pk] = url
    return found
